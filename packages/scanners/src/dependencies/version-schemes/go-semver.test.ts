import { describe, expect, it } from "vitest";
import { goSemverScheme } from "./go-semver.js";
import { itOrdersPairs } from "./version-table.fixture.js";

// [lower, higher] or [a, b] equal: each pair is checked both ways round.
const ORDERED: [string, string][] = [
  ["v0.0.0", "v0.0.1"],
  ["v0.0.1", "v0.1.0"],
  ["v0.1.0", "v1.0.0"],
  ["v1.0.0", "v1.0.1"],
  ["v1.0.9", "v1.0.10"],
  ["v1.9.0", "v1.10.0"],
  ["v1.99.0", "v1.100.0"],
  ["v2.0.0", "v10.0.0"],
  ["v1.0.0-alpha", "v1.0.0"],
  ["v1.0.0-alpha", "v1.0.0-alpha.1"],
  ["v1.0.0-alpha.1", "v1.0.0-alpha.beta"],
  ["v1.0.0-alpha.beta", "v1.0.0-beta"],
  ["v1.0.0-beta", "v1.0.0-beta.2"],
  ["v1.0.0-beta.2", "v1.0.0-beta.11"],
  ["v1.0.0-beta.11", "v1.0.0-rc.1"],
  ["v1.0.0-rc.1", "v1.0.0"],
  ["v1.0.0-1", "v1.0.0-a"],
  ["v1.0.0-9", "v1.0.0-10"],
  ["v1.0.0-Z", "v1.0.0-a"],
  ["v1.0.0-a.b", "v1.0.0-a-b"],
  ["v1.0.0-rc.1", "v1.0.0-rc1"],
  // Pseudo-versions: no tag before the commit (vX.0.0-timestamp-hash) …
  ["v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200101000000-000000000000"],
  ["v0.0.0-20191109021931-daa7c04131f5", "v0.0.1"],
  ["v0.0.0-20191109021931-daa7c04131f5", "v0.1.0"],
  ["v0.0.0-20220101000000-aaaaaaaaaaaa", "v0.0.0-20220101000000-bbbbbbbbbbbb"],
  // … after a release (vX.Y.(Z+1)-0.timestamp-hash sits between vX.Y.Z and vX.Y.(Z+1)) …
  ["v1.2.3", "v1.2.4-0.20191109021931-daa7c04131f5"],
  ["v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4"],
  ["v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-0.20191110000000-0123456789ab"],
  ["v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-alpha"],
  ["v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-1"],
  // … and after a pre-release (vX.Y.Z-pre.0.timestamp-hash sits just above vX.Y.Z-pre).
  ["v1.3.0-beta.1", "v1.3.0-beta.1.0.20200101000000-abcdefabcdef"],
  ["v1.3.0-beta.1.0.20200101000000-abcdefabcdef", "v1.3.0-beta.2"],
  ["v1.3.0-beta.1.0.20200101000000-abcdefabcdef", "v1.3.0"],
  // +incompatible (a v2+ module without go.mod) is build metadata: it does not order.
  ["v2.0.0+incompatible", "v2.0.1+incompatible"],
  ["v1.9.9", "v2.0.0+incompatible"],
  ["v2.0.0+incompatible", "v3.0.0"],
  ["v4.5.0+incompatible", "v4.5.1-0.20200101000000-abcdefabcdef+incompatible"],
  // OSV's Go records write bounds without the v; go.mod always with it.
  ["1.2.3", "v1.2.4"],
  ["v1.2.3", "1.10.0"],
  ["0.0.0-20191109021931-daa7c04131f5", "v0.0.1"],
  // Numbers of any length compare by value, as Go compares digit strings.
  ["v9007199254740993.0.0", "v9007199254740994.0.0"],
  ["v1.0.0-9007199254740993", "v1.0.0-9007199254740994"],
  ["v1.0.0-99999999999999999999", "v1.0.0-100000000000000000000"],
  ["v1.0.0-99999999999999999999", "v1.0.0-a"],
];

const EQUAL: [string, string][] = [
  ["v1.2.3", "1.2.3"],
  ["v1.2.3+incompatible", "v1.2.3"],
  ["v1.2.3+build.1", "v1.2.3+build.2"],
  ["v0.0.0-20191109021931-daa7c04131f5", "0.0.0-20191109021931-daa7c04131f5"],
  ["v1.0.0-rc.1+meta", "v1.0.0-rc.1"],
  [" v1.2.3 ", "v1.2.3"],
];

describe("goSemverScheme", () => {
  itOrdersPairs(goSemverScheme, ORDERED, EQUAL);

  it("keys a version by its ordering: without v and build metadata", () => {
    expect(goSemverScheme.key("v1.2.4-0.20191109021931-daa7c04131f5+incompatible")).toBe("1.2.4-0.20191109021931-daa7c04131f5");
    expect(goSemverScheme.key("v9007199254740993.0.0")).toBe("9007199254740993.0.0");
  });

  it("reads only what Go reads: no leading zeros, no empty identifiers, no short installed versions", () => {
    for (const version of [
      "v01.2.3",
      "v1.02.3",
      "v1.2.3-01",
      "v1.2.3-",
      "v1.2.3-a..b",
      "v1.2.3+",
      "v1.2.3_x",
      "v1.2",
      "1",
      "V1.2.3",
      "latest",
      "v1.2.3.4",
      "",
    ]) {
      expect([version, goSemverScheme.key(version), goSemverScheme.compare(version, "v1.0.0")]).toEqual([version, null, Number.NaN]);
    }
    expect(goSemverScheme.key("v1.2.3+01")).toBe("1.2.3");
  });

  it("keeps advisory versions that parse as written and pads Go's shorthands v1 and v1.2", () => {
    expect(goSemverScheme.normalize("v1.2.3")).toBe("v1.2.3");
    expect(goSemverScheme.normalize("1")).toBe("1.0.0");
    expect(goSemverScheme.normalize("v1.2")).toBe("1.2.0");
    for (const version of ["1.2-beta", "1.2.3.4", "01.2", "2024-01-01"])
      expect([version, goSemverScheme.normalize(version)]).toEqual([version, null]);
  });
});
