import { describe, expect, it } from "vitest";
import { pubSemverScheme } from "./pub-semver.js";
import { itOrdersPairs } from "./version-table.fixture.js";

// [lower, higher]: each pair is checked both ways round.
const ORDERED: [string, string][] = [
  ["0.0.0", "0.0.1"],
  ["0.0.1", "0.1.0"],
  ["0.1.0", "1.0.0"],
  ["1.0.0", "1.0.1"],
  ["1.0.9", "1.0.10"],
  ["1.9.0", "1.10.0"],
  ["2.0.0", "10.0.0"],
  ["0.13.6", "1.0.0"],
  ["1.0.0-alpha", "1.0.0"],
  ["1.0.0-alpha", "1.0.0-alpha.1"],
  ["1.0.0-alpha.1", "1.0.0-alpha.beta"],
  ["1.0.0-alpha.beta", "1.0.0-beta"],
  ["1.0.0-beta", "1.0.0-beta.2"],
  ["1.0.0-beta.2", "1.0.0-beta.11"],
  ["1.0.0-beta.11", "1.0.0-rc.1"],
  ["1.0.0-rc.1", "1.0.0"],
  ["1.0.0-1", "1.0.0-a"],
  ["1.0.0-9", "1.0.0-10"],
  ["1.0.0-Z", "1.0.0-a"],
  ["1.0.0-dev.1", "1.0.0-dev.2"],
  ["2.0.0-nullsafety.0", "2.0.0"],
  ["2.0.0-nullsafety.0", "2.0.0-nullsafety.1"],
  ["3.0.0-0.0.dev", "3.0.0-0.1.pre"],
  ["1.0.0-rc.1+build", "1.0.0"],
  // Build metadata orders in pub_semver (not in SemVer 2.0): no build first, then builds as lists.
  ["1.0.0", "1.0.0+1"],
  ["1.0.0+1", "1.0.0+2"],
  ["1.0.0+2", "1.0.0+10"],
  ["1.0.0+1", "1.0.0+a"],
  ["1.0.0+a", "1.0.0+b"],
  ["1.0.0+build", "1.0.0+build.1"],
  ["1.0.0+1", "1.0.1"],
  ["1.0.0+999", "1.0.1-alpha"],
  ["1.0.0-alpha", "1.0.0-alpha+1"],
  ["1.0.0-alpha+5", "1.0.0-alpha.1"],
  ["2.1.0+hotfix.1", "2.1.0+hotfix.2"],
  // Identifiers Dart's int.tryParse reads are numbers: leading zeros, hex and a sign included.
  ["1.0.0-01", "1.0.0-2"],
  ["1.0.0-0x0f", "1.0.0-16"],
  ["1.0.0--1", "1.0.0-0"],
  ["1.0.0-9223372036854775807", "1.0.0-9223372036854775808"],
  ["1.0.0-9223372036854775807", "1.0.0-a"],
  ["01.0.0", "1.0.1"],
  ["1.2.3-a.b", "1.2.3-a-b"],
  ["9007199254740993.0.0", "9007199254740994.0.0"],
  ["1.0.0-beta.1", "1.0.0-beta.1.0"],
  ["1.0.0-dev", "1.0.0-rc"],
];

const EQUAL: [string, string][] = [
  ["1.0.0", "1.0.0"],
  ["01.02.03", "1.2.3"],
  ["1.0.0-01", "1.0.0-1"],
  ["1.0.0-0x10", "1.0.0-16"],
  ["1.0.0+01", "1.0.0+1"],
  ["01.02.03-01.dev+pre.02", "1.2.3-1.dev+pre.2"],
  [" 1.2.3 ", "1.2.3"],
];

describe("pubSemverScheme", () => {
  itOrdersPairs(pubSemverScheme, ORDERED, EQUAL);

  it("keys versions that differ only in build metadata apart, since pub orders them", () => {
    expect(pubSemverScheme.key("1.0.0+1")).toBe("1.0.0+1");
    expect(pubSemverScheme.key("1.0.0")).not.toBe(pubSemverScheme.key("1.0.0+1"));
    expect(pubSemverScheme.key("01.02.03-01.dev+pre.02")).toBe("1.2.3-1.dev+pre.2");
  });

  it("reads only what pub_semver reads: three numbers, no v, no empty identifiers, ints within 64 bits", () => {
    for (const version of [
      "v1.2.3",
      "1.2",
      "1",
      "1.2.3.4",
      "1.2.3-",
      "1.2.3-a..b",
      "1.2.3+",
      "1.2.3_x",
      "9223372036854775808.0.0",
      "latest",
      "",
    ]) {
      expect([version, pubSemverScheme.key(version), pubSemverScheme.compare(version, "1.0.0")]).toEqual([version, null, Number.NaN]);
    }
  });

  it("uses advisory versions as written and pads nothing", () => {
    expect(pubSemverScheme.normalize("1.2.3+4")).toBe("1.2.3+4");
    expect(pubSemverScheme.normalize("1.2")).toBeNull();
  });
});
