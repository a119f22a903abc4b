import { describe, expect, it } from "vitest";
import { compareVersions } from "./compare-versions.js";
import type { Ecosystem } from "./ecosystems/registry.js";

// Each table is in ascending order; every pair is checked both ways.
function expectAscending(ecosystem: Ecosystem, versions: string[]): void {
  for (let i = 0; i < versions.length; i++) {
    for (let j = 0; j < versions.length; j++) {
      const a = versions[i] ?? "";
      const b = versions[j] ?? "";
      expect([a, b, compareVersions(ecosystem, a, b)]).toEqual([a, b, Math.sign(i - j)]);
    }
  }
}

describe("compareVersions", () => {
  it("orders npm versions by semver, pre-releases before their release", () => {
    expectAscending("npm", [
      "0.0.8",
      "1.2.5",
      "4.17.20",
      "4.17.21",
      "5.0.0-alpha.1",
      "5.0.0-alpha.2",
      "5.0.0-alpha.10",
      "5.0.0-beta",
      "5.0.0-beta.2",
      "5.0.0-beta.3",
      "5.0.0-rc.1",
      "5.0.0",
      "10.0.0",
    ]);
  });

  it("ignores npm build metadata", () => {
    expect(compareVersions("npm", "1.0.0+build.5", "1.0.0")).toBe(0);
  });

  it("orders PyPI versions by PEP 440: epochs, dev, pre, post, local", () => {
    expectAscending("PyPI", [
      "1.0.dev1",
      "1.0a1",
      "1.0a2.dev1",
      "1.0a2",
      "1.0b1",
      "1.0rc1",
      "1.0",
      "1.0+local.1",
      "1.0.post1.dev1",
      "1.0.post1",
      "1.1",
      "2.0",
      "1!0.1",
    ]);
  });

  it("treats PEP 440 spellings of one version as equal", () => {
    expect(compareVersions("PyPI", "1.0", "1.0.0")).toBe(0);
    expect(compareVersions("PyPI", "1.0-RC1", "1.0rc1")).toBe(0);
    expect(compareVersions("PyPI", "v2.0", "2.0")).toBe(0);
  });

  it("orders Go versions with or without the v prefix, pseudo-versions as pre-releases", () => {
    expectAscending("Go", [
      "v0.0.0-20190101000000-abcdefabcdef",
      "v0.0.0-20200101000000-abcdefabcdef",
      "v0.1.0",
      "v1.2.3",
      "v1.2.4-0.20200101000000-abcdefabcdef",
      "v1.2.4",
      "v2.0.0+incompatible",
      "v2.1.0",
    ]);
    expect(compareVersions("Go", "v1.2.3", "1.2.3")).toBe(0);
    expect(compareVersions("Go", "1.2.4", "v1.2.3")).toBe(1);
  });

  it("orders crates.io versions by semver", () => {
    expectAscending("crates.io", ["0.1.0", "0.1.1", "0.2.0-alpha.1", "0.2.0", "1.0.0-rc.1", "1.0.0", "1.10.0"]);
  });

  it("never throws: versions that do not parse sort first, among themselves by code unit", () => {
    expect(compareVersions("npm", "not-a-version", "0.0.1")).toBe(-1);
    expect(compareVersions("PyPI", "1.0", "latest")).toBe(1);
    expect(compareVersions("PyPI", "abc", "abd")).toBe(-1);
    expect(compareVersions("Go", "garbage", "garbage")).toBe(0);
  });
});
