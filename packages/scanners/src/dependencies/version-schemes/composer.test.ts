import { describe, expect, it } from "vitest";
import { composerScheme } from "./composer.js";
import { itOrdersAsTable } from "./version-table.fixture.js";

// [a, b, sign of compare(a, b)] as PHP's version_compare gives it on Composer\Semver\VersionParser::normalize of each.
const ORDER: [a: string, b: string, order: number][] = [
  ["1.0.0", "1.0.0", 0],
  ["v1.0.0", "1.0.0", 0],
  ["1.0", "1.0.0.0", 0],
  ["1", "1.0.0", 0],
  ["1.0.0-dev", "1.0.0-alpha1", -1],
  ["1.0.0-alpha1", "1.0.0-beta1", -1],
  ["1.0.0-beta1", "1.0.0-RC1", -1],
  ["1.0.0-RC1", "1.0.0", -1],
  ["1.0.0", "1.0.0-patch1", -1],
  ["1.0.0-pl1", "1.0.0-patch1", 0],
  ["1.0.0-p1", "1.0.0-p2", -1],
  ["1.0.0-a1", "1.0.0-alpha1", 0],
  ["1.0.0-b2", "1.0.0-beta2", 0],
  ["1.0.0-rc1", "1.0.0-RC1", 0],
  ["1.0.0-beta", "1.0.0-beta1", -1],
  ["1.0.0-beta.2", "1.0.0-beta2", 0],
  ["1.0.0-beta2", "1.0.0-beta10", -1],
  ["1.0.0-stable", "1.0.0", 0],
  ["1.0.0-RC1-dev", "1.0.0-RC1", -1],
  ["1.0.0-alpha", "1.0.0-dev", 1],
  ["1.0.0+build.5", "1.0.0", 0],
  ["v2.3.4", "2.3.5", -1],
  ["2.10.0", "2.9.9", 1],
  ["1.2.3.4", "1.2.3.5", -1],
  ["1.2.3.4", "1.2.4", -1],
  ["1.2.3", "1.2.3.0", 0],
  ["5.4.46", "5.4.100", -1],
  ["6.4.0-BETA1", "6.4.0-beta1", 0],
  ["6.4.0-RC2", "6.4.0", -1],
  ["7.0.0-alpha", "6.99.99", 1],
  ["1.0.0alpha1", "1.0.0-alpha1", 0],
  ["1.0.0.RC.1", "1.0.0-RC1", 0],
  ["1.0-dev", "1.0.0", -1],
  ["1.0.0-beta.1.2", "1.0.0-beta.1", 1],
  ["2024.01.15", "2023.12.31", 1],
  ["20240115", "20231231", 1],
  ["2024-01-15", "2024.01.15", -1],
  ["1.0.0", "0.9.99", 1],
  ["0.1.0", "0.1.0-RC1", 1],
  ["10.4.11", "10.4.9", 1],
  ["3.0.0-BETA2", "3.0.0-beta3", -1],
  ["1.0.0_beta1", "1.0.0-beta1", 0],
  ["1.0.0.beta1", "1.0.0-beta1", 0],
  ["V1.0.0", "1.0.0", 0],
  ["1.0.0-patch", "1.0.0", 1],
  ["1.0.0-patch1", "1.0.1", -1],
  ["1.0.0-alpha2", "1.0.0-alpha10", -1],
  ["1.0.0-RC10", "1.0.0-RC9", 1],
  ["4.4.51", "4.4.50", 1],
  ["1.0.1", "1.0.0-patch9", 1],
  ["2.0.0-beta1", "1.9.9-patch1", 1],
  ["1.00.0", "1.0.0", 0],
];

describe("composerScheme", () => {
  itOrdersAsTable(composerScheme, ORDER);

  it("does not read branches or what Composer does not normalise", () => {
    for (const version of ["dev-master", "dev-main", "2.x-dev", "1.0.*-dev", "", "latest", "1.0.0-foo"])
      expect([version, composerScheme.key(version)]).toEqual([version, null]);
    expect(composerScheme.normalize("v1.2.3")).toBe("v1.2.3");
    expect(composerScheme.compare("1.0.0", "dev-master")).toBeNaN();
  });
});
