import { describe, expect, it } from "vitest";
import { nugetScheme } from "./nuget.js";

// From https://learn.microsoft.com/en-us/nuget/concepts/package-versioning and NuGet.Versioning's
// VersionComparer: four numeric parts (missing ones 0, leading zeros ignored), pre-releases before their
// release, labels compared one by one (numbers by value and before text, text case-insensitively, fewer
// labels first), build metadata ignored.
const ORDER: [a: string, relation: "<" | "=" | ">", b: string][] = [
  ["1.0", "=", "1.0.0"],
  ["1.0.0", "=", "1.0.0.0"],
  ["1", "=", "1.0.0.0"],
  ["1.0.0.0", "<", "1.0.0.1"],
  ["1.0.0.1", "<", "1.0.1"],
  ["1.0.1", "<", "1.1"],
  ["1.1", "<", "2.0"],
  ["1.01", "=", "1.1"],
  ["1.00.0", "=", "1.0"],
  ["1.2.3.4", "<", "1.2.3.10"],
  ["1.2.10", ">", "1.2.9"],
  ["1.10.0", ">", "1.9.9.9"],
  ["4.1.0.3", ">", "4.1.0"],
  ["4.1.0.3", "<", "4.1.1"],
  ["1.0.0-alpha", "<", "1.0.0"],
  ["1.0.0-alpha", "<", "1.0.0-alpha.1"],
  ["1.0.0-alpha.1", "<", "1.0.0-alpha.beta"],
  ["1.0.0-alpha.beta", "<", "1.0.0-beta"],
  ["1.0.0-beta", "<", "1.0.0-beta.2"],
  ["1.0.0-beta.2", "<", "1.0.0-beta.11"],
  ["1.0.0-beta.11", "<", "1.0.0-rc.1"],
  ["1.0.0-rc.1", "<", "1.0.0"],
  ["1.0.0-Alpha", "=", "1.0.0-alpha"],
  ["1.0.0-RC.1", "=", "1.0.0-rc.1"],
  ["1.0.0-BETA", ">", "1.0.0-alpha"],
  ["1.0.0-beta", "<", "1.0.0-Beta2"],
  ["1.0.0-beta01", "<", "1.0.0-beta02"],
  ["1.0.0-beta2", ">", "1.0.0-beta10"],
  ["1.0.0-1", "<", "1.0.0-a"],
  ["1.0.0-2", "<", "1.0.0-10"],
  ["1.0.0-0", "<", "1.0.0-1"],
  ["1.0.0-a-b", ">", "1.0.0-a"],
  ["1.0.0-a-b", "<", "1.0.0-ab"],
  ["1.0-beta", "=", "1.0.0-beta"],
  ["1.0.0.0-beta", "=", "1.0.0-beta"],
  ["1.0.0.1-beta", ">", "1.0.0"],
  ["1.0.0.1-beta", "<", "1.0.0.1"],
  ["1.0.0+build.1", "=", "1.0.0"],
  ["1.0.0+build.1", "=", "1.0.0+build.2"],
  ["1.0.0-beta+exp.sha.5114f85", "=", "1.0.0-beta"],
  ["1.0.0-beta+meta", "<", "1.0.0+meta"],
  ["1.0.0.0+meta", "=", "1.0"],
  ["13.0.1", "<", "13.0.3"],
  ["12.0.3", "<", "13.0.1"],
  ["6.0.0-preview.7.21377.19", "<", "6.0.0-rc.1.21451.13"],
  ["6.0.0-rc.1.21451.13", "<", "6.0.0-rc.2.21480.5"],
  ["6.0.0-rc.2.21480.5", "<", "6.0.0"],
  ["8.0.0-preview.1.23110.8", "<", "8.0.0-preview.2.23128.3"],
  ["5.9.0-1.26328.17", "<", "5.9.0"],
  ["4.3.0", "<", "4.3.1"],
  ["2.0.0", ">", "2.0.0-preview1-final"],
  ["3.1.24", ">", "3.1.3"],
  ["0.0.1", ">", "0.0.0.9"],
  ["1.0.0-alpha.1", "=", "1.0.0-ALPHA.1"],
  ["1.0.0-x.7.z.92", "<", "1.0.0-x.7.z.93"],
  ["1.0.0-x.7.z.92", ">", "1.0.0-x.7.z"],
];

const SIGN = { "<": -1, "=": 0, ">": 1 } as const;
// `+ 0` turns -0 into 0 (toBe tells them apart) and keeps NaN.
const sign = (n: number) => Math.sign(n) + 0;

describe("nugetScheme", () => {
  it.each(ORDER)("orders %s %s %s as NuGet does", (a, relation, b) => {
    expect(sign(nugetScheme.compare(a, b))).toBe(SIGN[relation]);
    expect(sign(nugetScheme.compare(b, a))).toBe(-SIGN[relation] + 0);
    expect(nugetScheme.key(a) === nugetScheme.key(b)).toBe(relation === "=");
  });

  it("keys versions by NuGet's normalised form", () => {
    expect(nugetScheme.key("1.0")).toBe("1.0.0");
    expect(nugetScheme.key("1.0.0.0")).toBe("1.0.0");
    expect(nugetScheme.key("01.02.03.04")).toBe("1.2.3.4");
    expect(nugetScheme.key("1.0.0-Beta.01+sha.1")).toBe("1.0.0-beta.1");
  });

  it("keeps versions as written and refuses what NuGet does not read", () => {
    expect(nugetScheme.normalize("1.0")).toBe("1.0");
    for (const version of ["", "v1.0.0", "1.2.3.4.5", "1.0.0-", "1.0.0-beta..1", "1.0.0-beta_1", "[1.0, )", "latest"]) {
      expect([version, nugetScheme.key(version)]).toEqual([version, null]);
      expect(nugetScheme.compare(version, "1.0.0")).toBeNaN();
    }
  });
});
