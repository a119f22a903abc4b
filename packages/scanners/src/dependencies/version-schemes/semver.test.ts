import { describe, expect, it } from "vitest";
import { semverScheme } from "./semver.js";
import { itOrdersPairs } from "./version-table.fixture.js";

// SemVer 2.0.0 precedence (https://semver.org/#spec-item-11) as npm orders installed versions: the spec's own
// examples, then node-semver's comparison fixtures (test/fixtures/comparisons.js). [lower, higher], both ways.
const ORDERED: [string, string][] = [
  // §11.2: major, minor, patch numerically.
  ["1.0.0", "2.0.0"],
  ["2.0.0", "2.1.0"],
  ["2.1.0", "2.1.1"],
  ["0.9.9", "1.0.0"],
  ["0.9.0", "0.10.0"],
  ["0.10.0", "0.99.0"],
  ["1.2.3", "2.0.0"],
  ["0.0.0", "0.0.1"],
  ["1.9.0", "1.10.0"],
  ["1.0.9", "1.0.10"],
  ["4.17.20", "4.17.21"],
  // §11.3: a pre-release is below its release.
  ["1.0.0-alpha", "1.0.0"],
  ["0.0.0-foo", "0.0.0"],
  ["1.2.3-asdf", "1.2.3"],
  ["1.2.3-4", "1.2.3"],
  ["1.2.3-4-foo", "1.2.3"],
  ["1.2.3", "1.2.4-0"],
  ["0.0.0-foo", "v0.0.0"],
  // §11.4: the spec's example chain.
  ["1.0.0-alpha", "1.0.0-alpha.1"],
  ["1.0.0-alpha.1", "1.0.0-alpha.beta"],
  ["1.0.0-alpha.beta", "1.0.0-beta"],
  ["1.0.0-beta", "1.0.0-beta.2"],
  ["1.0.0-beta.2", "1.0.0-beta.11"],
  ["1.0.0-beta.11", "1.0.0-rc.1"],
  ["1.0.0-rc.1", "1.0.0"],
  // §11.4.1-4: numeric identifiers numerically, below alphanumeric ones; those in ASCII order; more fields higher.
  ["1.2.3-4", "1.2.3-5"],
  ["1.2.3-5", "1.2.3-5-foo"],
  ["1.2.3-5-Foo", "1.2.3-5-foo"],
  ["1.2.3-a.5", "1.2.3-a.10"],
  ["1.2.3-a.5", "1.2.3-a.b"],
  ["1.2.3-a", "1.2.3-a.b"],
  ["1.2.3-a.b.c.5.d.100", "1.2.3-a.b.c.10.d.5"],
  ["1.2.3-r100", "1.2.3-r2"],
  ["1.2.3-R2", "1.2.3-r100"],
  ["1.0.0-0", "1.0.0-0.0"],
  ["1.0.0-9", "1.0.0-10"],
  ["1.0.0-99", "1.0.0-a"],
  ["1.0.0-Z", "1.0.0-a"],
  ["1.0.0-alpha.9", "1.0.0-alpha.10"],
  ["1.0.0-rc.1", "1.0.0-rc.1.0"],
  ["1.0.0-rc.9", "1.0.0-rc10"],
  ["5.0.0-alpha.2", "5.0.0-alpha.10"],
  ["5.0.0-beta.3", "5.0.0-rc.1"],
  // §10: build metadata does not count, so it never lifts a version over the next one.
  ["2.7.2+asdf", "3.0.0"],
  ["1.0.0+zzz", "1.0.1"],
  ["1.0.0-alpha+001", "1.0.0"],
  ["1.0.0-beta+exp.sha.5114f85", "1.0.0-beta.1"],
  // A leading v is read (npm writes none, some tools do).
  ["v1.2.3", "1.2.4"],
  ["0.0.0", "v0.0.1"],
  ["v1.0.0-beta", "v1.0.0"],
];

const EQUAL: [string, string][] = [
  ["1.2.3", "v1.2.3"],
  ["1.2.3-beta", "v1.2.3-beta"],
  ["1.2.3+build", "1.2.3+otherbuild"],
  ["1.2.3-beta+build", "1.2.3-beta+otherbuild"],
  ["1.2.3+build", "1.2.3"],
  ["1.0.0+20130313144700", "1.0.0"],
  ["1.2.3", " 1.2.3 "],
];

describe("semverScheme", () => {
  itOrdersPairs(semverScheme, ORDERED, EQUAL);

  it("keys versions equal under semver alike: a leading v and build metadata do not count", () => {
    expect(semverScheme.key("1.2.3")).toBe("1.2.3");
    expect(semverScheme.key("v1.2.3")).toBe("1.2.3");
    expect(semverScheme.key(" 1.2.3+build.5 ")).toBe("1.2.3");
    expect(semverScheme.key("1.2.3-rc.1")).toBe("1.2.3-rc.1");
  });

  it("does not read short or otherwise non-semver versions as installed versions", () => {
    for (const version of ["1", "1.2", "1.2.3.4", "01.2.3", "latest", ""])
      expect([version, semverScheme.key(version)]).toEqual([version, null]);
  });

  it("keeps advisory versions that parse as written and pads only the shorthands Go reads", () => {
    expect(semverScheme.normalize("v1.2.3")).toBe("v1.2.3");
    expect(semverScheme.normalize("1")).toBe("1.0.0");
    expect(semverScheme.normalize("v1.2")).toBe("1.2.0");
    for (const version of ["1.2-beta", "1.2.3.4", "01.2", "2024-01-01"])
      expect([version, semverScheme.normalize(version)]).toEqual([version, null]);
  });

  it("orders by semver precedence, and gives NaN when either side does not parse", () => {
    expect(semverScheme.compare("1.0.0-alpha", "1.0.0")).toBeLessThan(0);
    expect(semverScheme.compare("v2.0.0", "1.10.0")).toBeGreaterThan(0);
    expect(semverScheme.compare("1.0.0+a", "1.0.0+b")).toBe(0);
    expect(semverScheme.compare("1.0.0", "x")).toBeNaN();
  });
});
