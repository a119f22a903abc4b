import { describe, expect, it } from "vitest";
import type { AffectedPackage } from "./advisory.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import { osvFixture } from "./fixtures.fixture.js";
import { affectedVerdict, isAffected } from "./is-affected.js";
import { parseAdvisory } from "./parse-advisory.js";

/** Whether `version` of `name` is affected by any entry of the fixture advisory `id`. */
function affectedBy(id: string, name: string, version: string): boolean {
  const advisory = osvFixture(id);
  return advisory.affected.filter((a) => a.name === name).some((a) => isAffected(a.ecosystem, version, a));
}

/** One affected entry built from OSV JSON for `ecosystem`/`pkg`. */
function entry(ecosystem: Ecosystem, osvAffected: Record<string, unknown>): AffectedPackage {
  const advisory = parseAdvisory({
    id: "TEST-1",
    modified: "2024-01-01T00:00:00Z",
    affected: [{ package: { ecosystem, name: "pkg" }, ...osvAffected }],
  });
  const first = advisory.affected[0];
  if (first === undefined) throw new Error("fixture advisory has no entry");
  return first;
}

const range = (type: string, ...events: Record<string, string>[]) => ({ ranges: [{ type, events }] });

describe("isAffected", () => {
  it("treats fixed as exclusive (GHSA-35jh: lodash < 4.17.21)", () => {
    expect(affectedBy("GHSA-35jh-r3h4-6jhm", "lodash", "0.1.0")).toBe(true);
    expect(affectedBy("GHSA-35jh-r3h4-6jhm", "lodash", "4.17.20")).toBe(true);
    expect(affectedBy("GHSA-35jh-r3h4-6jhm", "lodash", "4.17.21")).toBe(false);
    expect(affectedBy("GHSA-p6mc-m468-83gw", "lodash", "4.17.20")).toBe(false);
  });

  it("treats last_affected as inclusive (GHSA-29mw: lodash.trim ≤ 4.5.1)", () => {
    expect(affectedBy("GHSA-29mw-wpgm-hmr9", "lodash.trim", "4.5.1")).toBe(true);
    expect(affectedBy("GHSA-29mw-wpgm-hmr9", "lodash.trim", "4.5.2")).toBe(false);
    expect(affectedBy("GHSA-29mw-wpgm-hmr9", "lodash.trimend", "4.5.1")).toBe(true);
    expect(affectedBy("GHSA-29mw-wpgm-hmr9", "lodash", "4.17.21")).toBe(false);
  });

  it("reports no fix for a last_affected-only range (GHSA-p8p7: request ≤ 2.88.2)", () => {
    const request = osvFixture("GHSA-p8p7-x288-28g6").affected.find((a) => a.name === "request");
    expect(request && affectedVerdict("npm", "2.88.2", request)).toEqual({ status: "affected", fixedIn: null });
    expect(request && isAffected("npm", "2.88.3", request)).toBe(false);
    expect(affectedBy("GHSA-p8p7-x288-28g6", "@cypress/request", "2.88.11")).toBe(true);
    expect(affectedBy("GHSA-p8p7-x288-28g6", "@cypress/request", "2.88.12")).toBe(false);
  });

  it("takes an introduced other than 0 as the lower bound (GHSA-wf5p: axios [0.8.1, 1.6.0))", () => {
    expect(affectedBy("GHSA-wf5p-g6vw-rhxx", "axios", "0.8.0")).toBe(false);
    expect(affectedBy("GHSA-wf5p-g6vw-rhxx", "axios", "0.8.1")).toBe(true);
    expect(affectedBy("GHSA-wf5p-g6vw-rhxx", "axios", "1.5.1")).toBe(true);
    expect(affectedBy("GHSA-wf5p-g6vw-rhxx", "axios", "1.6.0")).toBe(false);
  });

  it("matches any of several ranges for one package (GHSA-xvch: minimist [0, 0.2.4) and [1.0.0, 1.2.6))", () => {
    expect(affectedBy("GHSA-xvch-5gv4-984h", "minimist", "0.0.8")).toBe(true);
    expect(affectedBy("GHSA-xvch-5gv4-984h", "minimist", "0.2.4")).toBe(false);
    expect(affectedBy("GHSA-xvch-5gv4-984h", "minimist", "0.9.0")).toBe(false);
    expect(affectedBy("GHSA-xvch-5gv4-984h", "minimist", "1.2.5")).toBe(true);
    expect(affectedBy("GHSA-xvch-5gv4-984h", "minimist", "1.2.6")).toBe(false);
  });

  it("follows nine backport lines (GHSA-hrpp: qs)", () => {
    const cases: [string, boolean][] = [
      ["6.2.3", true],
      ["6.2.4", false],
      ["6.3.2", true],
      ["6.3.3", false],
      ["6.5.2", true],
      ["6.5.3", false],
      ["6.9.6", true],
      ["6.9.7", false],
      ["6.10.2", true],
      ["6.10.3", false],
      ["6.11.0", false],
    ];
    for (const [version, expected] of cases)
      expect([version, affectedBy("GHSA-hrpp-h998-j3pp", "qs", version)]).toEqual([version, expected]);
  });

  it("orders pre-releases (GHSA-rv95: express [5.0.0-alpha.1, 5.0.0-beta.3))", () => {
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "5.0.0-alpha.0")).toBe(false);
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "5.0.0-alpha.1")).toBe(true);
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "5.0.0-alpha.8")).toBe(true);
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "5.0.0-beta.2")).toBe(true);
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "5.0.0-beta.3")).toBe(false);
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "5.0.0")).toBe(false);
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "4.19.1")).toBe(true);
    expect(affectedBy("GHSA-rv95-896h-c2vc", "express", "4.19.2")).toBe(false);
  });

  it("orders pre-releases below their release (GHSA-qw6h: express [5.0.0-alpha.1, 5.0.0))", () => {
    expect(affectedBy("GHSA-qw6h-vgh9-j6wx", "express", "5.0.0-beta.3")).toBe(true);
    expect(affectedBy("GHSA-qw6h-vgh9-j6wx", "express", "5.0.0-rc.1")).toBe(true);
    expect(affectedBy("GHSA-qw6h-vgh9-j6wx", "express", "5.0.0")).toBe(false);
    expect(affectedBy("GHSA-qw6h-vgh9-j6wx", "express", "4.20.0")).toBe(false);
  });

  it("orders PyPI versions by PEP 440 (GHSA-jh3w: Django, three lines)", () => {
    expect(affectedBy("GHSA-jh3w-4vvf-mjgr", "django", "3.2.19")).toBe(true);
    expect(affectedBy("GHSA-jh3w-4vvf-mjgr", "django", "3.2.20")).toBe(false);
    expect(affectedBy("GHSA-jh3w-4vvf-mjgr", "django", "4.1.9")).toBe(true);
    expect(affectedBy("GHSA-jh3w-4vvf-mjgr", "django", "4.2rc1")).toBe(false);
    expect(affectedBy("GHSA-jh3w-4vvf-mjgr", "django", "4.2")).toBe(true);
    expect(affectedBy("GHSA-jh3w-4vvf-mjgr", "django", "4.2.2.post1")).toBe(true);
    expect(affectedBy("GHSA-jh3w-4vvf-mjgr", "django", "4.2.3")).toBe(false);
    expect(affectedBy("GHSA-8q59-q68h-6hv4", "pyyaml", "5.4b1")).toBe(true);
    expect(affectedBy("GHSA-8q59-q68h-6hv4", "pyyaml", "5.4")).toBe(false);
  });

  it("evaluates several introduced/fixed pairs in one range, whatever their order in the file", () => {
    const pkg = entry("npm", range("SEMVER", { fixed: "3.2.5" }, { introduced: "3.0.0" }, { fixed: "1.0.2" }, { introduced: "1.0.0" }));
    expect(["0.9.0", "1.0.0", "1.0.2", "2.0.0", "3.0.0", "3.2.4", "3.2.5"].map((v) => isAffected("npm", v, pkg))).toEqual([
      false,
      true,
      false,
      false,
      true,
      true,
      false,
    ]);
  });

  it("gives the lowest fixed version above the installed one", () => {
    const pkg = entry("npm", range("ECOSYSTEM", { introduced: "0" }, { fixed: "1.0.2" }, { introduced: "2.0.0" }, { fixed: "2.5.0" }));
    expect(affectedVerdict("npm", "0.5.0", pkg)).toEqual({ status: "affected", fixedIn: "1.0.2" });
    expect(affectedVerdict("npm", "2.1.0", pkg)).toEqual({ status: "affected", fixedIn: "2.5.0" });
    expect(affectedVerdict("npm", "1.5.0", pkg)).toEqual({ status: "unaffected", fixedIn: null });
  });

  it("keeps the record's order for events at one version: [x, x) is empty, [x, x] is x, fixed x then introduced x reopens", () => {
    const versions = ["0.9.0", "1.0.0", "1.0.1"];
    const empty = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { fixed: "1.0.0" }));
    expect(versions.map((v) => isAffected("npm", v, empty))).toEqual([false, false, false]);
    const single = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { last_affected: "1.0.0" }));
    expect(versions.map((v) => isAffected("npm", v, single))).toEqual([false, true, false]);
    const adjacent = entry("npm", range("SEMVER", { introduced: "0" }, { fixed: "1.0.0" }, { introduced: "1.0.0" }, { fixed: "1.0.1" }));
    expect(versions.map((v) => isAffected("npm", v, adjacent))).toEqual([true, true, false]);
  });

  it("caps a range with limit events", () => {
    const pkg = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { limit: "2.0.0" }));
    expect(["0.1.0", "1.0.0", "1.9.9", "2.0.0", "3.0.0"].map((v) => isAffected("npm", v, pkg))).toEqual([false, true, true, false, false]);
    const unlimited = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { limit: "*" }));
    expect(isAffected("npm", "9.0.0", unlimited)).toBe(true);
  });

  it("matches the explicit versions list exactly, by the ecosystem's equality", () => {
    const pkg = entry("PyPI", { versions: ["1.0", "1.1.post1"] });
    expect(["1.0", "1.0.0", "1.1", "1.1.post1", "1.1.0.post1"].map((v) => isAffected("PyPI", v, pkg))).toEqual([
      true,
      true,
      false,
      true,
      true,
    ]);
    const npm = entry("npm", {
      versions: ["2.0.0"],
      ...range("ECOSYSTEM", { introduced: "0" }, { fixed: "1.5.0" }, { introduced: "3.0.0" }, { fixed: "3.1.0" }),
    });
    expect(affectedVerdict("npm", "2.0.0", npm)).toEqual({ status: "affected", fixedIn: "3.1.0" });
    expect(affectedVerdict("npm", "1.0.0", npm)).toEqual({ status: "affected", fixedIn: "1.5.0" });
  });

  it("accepts Go versions with the v prefix against OSV's bare versions, pseudo-versions included", () => {
    const pkg = entry("Go", range("SEMVER", { introduced: "0" }, { fixed: "1.2.4" }));
    expect(isAffected("Go", "v1.2.3", pkg)).toBe(true);
    expect(isAffected("Go", "v1.2.4-0.20200101000000-abcdefabcdef", pkg)).toBe(true);
    expect(isAffected("Go", "v1.2.4", pkg)).toBe(false);
    expect(isAffected("Go", "v0.0.0-20190101000000-abcdefabcdef", pkg)).toBe(true);
  });

  it("orders crates.io versions by semver", () => {
    const pkg = entry("crates.io", range("SEMVER", { introduced: "0.2.0-alpha.1" }, { fixed: "0.2.3" }));
    expect(["0.1.9", "0.2.0-alpha.1", "0.2.0", "0.2.3"].map((v) => isAffected("crates.io", v, pkg))).toEqual([false, true, true, false]);
  });

  it("uses semver ordering for a SEMVER range, whatever the ecosystem", () => {
    const pkg = entry("PyPI", range("SEMVER", { introduced: "1.0.0" }, { fixed: "1.2.0" }));
    expect(affectedVerdict("PyPI", "1.1.0", pkg).status).toBe("affected");
    expect(affectedVerdict("PyPI", "1.3.0", pkg).status).toBe("unaffected");
    // Not a semver: the range cannot place it, so it may or may not be inside.
    expect(affectedVerdict("PyPI", "1.1.post1", pkg).status).toBe("unverified");
  });

  it("treats an installed version a range cannot read as possibly inside it; the versions list still decides exactly", () => {
    const pkg = entry("npm", { versions: ["git-sha"], ...range("ECOSYSTEM", { introduced: "2.0.0" }, { fixed: "2.1.0" }) });
    expect(affectedVerdict("npm", "not.a.version", pkg)).toEqual({ status: "unverified", fixedIn: null });
    expect(affectedVerdict("npm", "git-sha", pkg).status).toBe("affected");
    expect(affectedVerdict("npm", "1.0.0", pkg).status).toBe("unaffected");
    expect(affectedVerdict("PyPI", "???", entry("PyPI", range("ECOSYSTEM", { introduced: "0" }))).status).toBe("unverified");
    // An entry without ranges cannot place anything: only the list counts.
    expect(affectedVerdict("npm", "latest", entry("npm", { versions: ["1.0.0"] })).status).toBe("unaffected");
  });

  it("ignores, without throwing, an unreadable event left among the readable ones of a hand-built entry", () => {
    const handBuilt: AffectedPackage = {
      ecosystem: "PyPI",
      name: "pkg",
      ranges: [
        {
          type: "ECOSYSTEM",
          events: [
            { kind: "introduced", version: "0" },
            { kind: "fixed", version: "bogus" },
          ],
        },
      ],
      versions: [],
      fixed: [],
    };
    expect(affectedVerdict("PyPI", "1.0", handBuilt)).toEqual({ status: "affected", fixedIn: null });
  });

  it("takes the events in version order even when an introduced is above the fix (OSV sorts, then walks)", () => {
    const pkg = entry("npm", range("SEMVER", { introduced: "2.0.0" }, { fixed: "1.0.0" }));
    expect(["0.5.0", "1.5.0", "2.0.0", "9.0.0"].map((v) => affectedVerdict("npm", v, pkg).status)).toEqual([
      "unaffected",
      "unaffected",
      "affected",
      "affected",
    ]);
  });

  it("treats any limit containing * as no limit (OSV special values)", () => {
    const pkg = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { limit: "2.0.0" }, { limit: "3.*" }));
    expect(["0.5.0", "1.0.0", "5.0.0"].map((v) => affectedVerdict("npm", v, pkg).status)).toEqual(["unaffected", "affected", "affected"]);
  });
});

describe("short versions in ranges", () => {
  const status = (ecosystem: Ecosystem, pkg: AffectedPackage, versions: string[]) =>
    versions.map((v) => affectedVerdict(ecosystem, v, pkg).status);

  it("reads fixed: 1 in an npm SEMVER range as 1.0.0, so the range stays closed", () => {
    const pkg = entry("npm", range("SEMVER", { introduced: "0" }, { fixed: "1" }));
    expect(status("npm", pkg, ["0.9.9", "1.0.0", "2.0.0"])).toEqual(["affected", "unaffected", "unaffected"]);
    expect(affectedVerdict("npm", "0.9.9", pkg).fixedIn).toBe("1.0.0");
  });

  it("reads introduced: 1 in an npm ECOSYSTEM range as 1.0.0, so the range keeps its start", () => {
    const pkg = entry("npm", range("ECOSYSTEM", { introduced: "1" }, { fixed: "2.0.0" }));
    expect(status("npm", pkg, ["0.9.9", "1.0.0", "1.9.9", "2.0.0"])).toEqual(["unaffected", "affected", "affected", "unaffected"]);
  });

  it("reads last_affected: 1.2 as 1.2.0, but not a short version with a pre-release (1.3-beta stays unreadable)", () => {
    const pkg = entry("npm", range("ECOSYSTEM", { introduced: "1.0.0" }, { last_affected: "1.2" }));
    expect(status("npm", pkg, ["0.9.0", "1.2.0", "1.2.1"])).toEqual(["unaffected", "affected", "unaffected"]);
    const preRelease = entry("npm", range("ECOSYSTEM", { introduced: "1.3-beta" }, { fixed: "1.3.1" }));
    expect(affectedVerdict("npm", "1.3.0", preRelease)).toEqual({ status: "unverified", fixedIn: "1.3.1" });
  });

  it("reads Go's v-prefixed short versions (v1.2 is v1.2.0) against v-prefixed installed versions", () => {
    const pkg = entry("Go", range("ECOSYSTEM", { introduced: "v1.2" }, { fixed: "v1.4" }));
    expect(status("Go", pkg, ["v1.1.9", "v1.2.0", "v1.3.5", "v1.4.0"])).toEqual(["unaffected", "affected", "affected", "unaffected"]);
    expect(affectedVerdict("Go", "v1.3.5", pkg).fixedIn).toBe("1.4.0");
  });

  it("reads crates.io short versions in SEMVER and ECOSYSTEM ranges", () => {
    const semverRange = entry("crates.io", range("SEMVER", { introduced: "0.2" }, { fixed: "0.3" }));
    expect(status("crates.io", semverRange, ["0.1.9", "0.2.0", "0.2.9", "0.3.0"])).toEqual([
      "unaffected",
      "affected",
      "affected",
      "unaffected",
    ]);
    const ecosystemRange = entry("crates.io", range("ECOSYSTEM", { introduced: "0" }, { fixed: "1" }));
    expect(status("crates.io", ecosystemRange, ["0.9.0", "1.0.0"])).toEqual(["affected", "unaffected"]);
  });

  it("reads a PyPI ECOSYSTEM range's 1 as PEP 440 does (1 == 1.0), and pads a PyPI SEMVER range like any semver", () => {
    const pep440 = entry("PyPI", range("ECOSYSTEM", { introduced: "1" }, { fixed: "2" }));
    expect(status("PyPI", pep440, ["0.9", "1.0", "1.5.post1", "2.0"])).toEqual(["unaffected", "affected", "affected", "unaffected"]);
    const semverRange = entry("PyPI", range("SEMVER", { introduced: "0" }, { fixed: "2" }));
    expect(status("PyPI", semverRange, ["1.9.0", "2.0.0"])).toEqual(["affected", "unaffected"]);
  });

  it("matches a short version in the versions list by its padded form", () => {
    const pkg = entry("npm", { versions: ["1.2"] });
    expect(status("npm", pkg, ["1.2.0", "1.2.1"])).toEqual(["affected", "unaffected"]);
  });
});

describe("events that cannot be read", () => {
  const status = (pkg: AffectedPackage, versions: string[]) => versions.map((v) => affectedVerdict("npm", v, pkg).status);

  it("an unreadable fixed could close the range anywhere: inside it is unverified, below its start unaffected", () => {
    const pkg = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { fixed: "1.2.3.4" }));
    expect(status(pkg, ["0.9.0", "1.0.0", "9.0.0"])).toEqual(["unaffected", "unverified", "unverified"]);
  });

  it("an unreadable fixed makes even the readable part of its range unverified, and is never given as fixed_in", () => {
    const pkg = entry("npm", range("SEMVER", { introduced: "0" }, { fixed: "1.0.0" }, { introduced: "2.0.0" }, { fixed: "2024-01-01" }));
    expect(status(pkg, ["0.5.0", "1.5.0", "2.5.0"])).toEqual(["unverified", "unaffected", "unverified"]);
    expect(affectedVerdict("npm", "0.5.0", pkg).fixedIn).toBe("1.0.0");
    expect(affectedVerdict("npm", "2.5.0", pkg).fixedIn).toBeNull();
  });

  it("an unreadable introduced could open the range anywhere: what the readable events include stays affected", () => {
    const pkg = entry("npm", range("SEMVER", { introduced: "0" }, { fixed: "1.0.0" }, { introduced: "weird" }));
    expect(status(pkg, ["0.5.0", "1.0.0", "9.0.0"])).toEqual(["affected", "unverified", "unverified"]);
    const startOnly = entry("npm", range("SEMVER", { introduced: "weird" }, { fixed: "2.0.0" }));
    expect(status(startOnly, ["1.0.0", "3.0.0"])).toEqual(["unverified", "unverified"]);
  });

  it("an unreadable last_affected is like an unreadable fixed", () => {
    const pkg = entry("npm", range("ECOSYSTEM", { introduced: "1.0.0" }, { last_affected: "1.0.0.1" }));
    expect(status(pkg, ["0.9.0", "1.0.0", "2.0.0"])).toEqual(["unaffected", "unverified", "unverified"]);
  });

  it("an unreadable limit could cap the range anywhere: below a readable limit affected, above it unverified", () => {
    const capped = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { limit: "2.0.0" }, { limit: "3.0.0.0" }));
    expect(status(capped, ["0.9.0", "1.5.0", "2.5.0"])).toEqual(["unaffected", "affected", "unverified"]);
    const onlyUnreadable = entry("npm", range("SEMVER", { introduced: "1.0.0" }, { limit: "next" }));
    expect(status(onlyUnreadable, ["0.9.0", "1.5.0"])).toEqual(["unaffected", "unverified"]);
  });

  it("a readable range or the versions list of the same entry still verifies the version", () => {
    const pkg = entry("npm", {
      versions: ["3.0.0"],
      ranges: [
        { type: "SEMVER", events: [{ introduced: "0" }, { fixed: "bogus" }] },
        { type: "SEMVER", events: [{ introduced: "1.0.0" }, { fixed: "1.1.0" }] },
      ],
    });
    expect(affectedVerdict("npm", "1.0.5", pkg)).toEqual({ status: "affected", fixedIn: "1.1.0" });
    expect(affectedVerdict("npm", "3.0.0", pkg)).toEqual({ status: "affected", fixedIn: null });
    expect(affectedVerdict("npm", "2.0.0", pkg)).toEqual({ status: "unverified", fixedIn: null });
  });
});
