import { describe, expect, it } from "vitest";
import type { Advisory } from "./advisory.js";
import { allOsvFixtures, osvFixture, osvJson } from "./fixtures.fixture.js";
import { matchPackages } from "./match-packages.js";
import type { PackageRef, PackageSet } from "./package-set.js";
import { parseAdvisory } from "./parse-advisory.js";

const set = (...packages: PackageRef[]): PackageSet => ({ packages, unchecked: [] });
const npm = (name: string, version: string): PackageRef => ({ ecosystem: "npm", name, version });
const pypi = (name: string, version: string): PackageRef => ({ ecosystem: "PyPI", name, version });
const ADVISORIES = allOsvFixtures();

/** [package, version, id, fixed_in] of each finding. */
function summaryOf(packages: PackageSet, advisories: Advisory[] = ADVISORIES) {
  return matchPackages(packages, advisories).result.findings.map((f) => [f.package, f.version, f.id, f.fixed_in]);
}

describe("matchPackages", () => {
  it("reports each matching advisory with its aliases, severity, summary and fix", () => {
    const { result } = matchPackages(set(npm("minimist", "1.2.5")), ADVISORIES);
    expect(result.findings).toEqual([
      {
        id: "GHSA-xvch-5gv4-984h",
        aliases: ["CVE-2021-44906"],
        ecosystem: "npm",
        package: "minimist",
        version: "1.2.5",
        severity: "critical",
        summary: "Prototype Pollution in minimist",
        fixed_in: "1.2.6",
      },
    ]);
    expect(result.summary).toEqual({ critical: 1, high: 0, medium: 0, low: 0, unknown: 0, total: 1 });
    expect(result.packages).toBe(1);
  });

  it("finds lodash 4.17.20's two advisories, fixed in 4.17.21, but not the one fixed in 4.17.20", () => {
    expect(summaryOf(set(npm("lodash", "4.17.20")))).toEqual([
      ["lodash", "4.17.20", "GHSA-29mw-wpgm-hmr9", "4.17.21"],
      ["lodash", "4.17.20", "GHSA-35jh-r3h4-6jhm", "4.17.21"],
    ]);
  });

  it("gives each package of a multi-package advisory its own fix (GHSA-jf85)", () => {
    expect(summaryOf(set(npm("lodash-amd", "4.17.12"), npm("lodash.defaultsdeep", "4.6.0"), npm("lodash-es", "4.17.13")), [osvFixture("GHSA-jf85-cpcp-j695")])).toEqual([
      ["lodash-amd", "4.17.12", "GHSA-jf85-cpcp-j695", "4.17.13"],
      ["lodash-es", "4.17.13", "GHSA-jf85-cpcp-j695", "4.17.14"],
      ["lodash.defaultsdeep", "4.6.0", "GHSA-jf85-cpcp-j695", "4.6.1"],
    ]);
  });

  it("picks the fix of the range the version is in (GHSA-c2qf: semver, three lines)", () => {
    expect(summaryOf(set(npm("semver", "5.7.1"), npm("semver", "6.3.0"), npm("semver", "7.5.1"), npm("semver", "7.5.2")))).toEqual([
      ["semver", "5.7.1", "GHSA-c2qf-rxjj-qqgw", "5.7.2"],
      ["semver", "6.3.0", "GHSA-c2qf-rxjj-qqgw", "6.3.1"],
      ["semver", "7.5.1", "GHSA-c2qf-rxjj-qqgw", "7.5.2"],
    ]);
  });

  it("never matches a withdrawn advisory (GHSA-27h2), while its replacement still does", () => {
    expect(summaryOf(set(npm("jsonwebtoken", "8.5.1")))).toEqual([["jsonwebtoken", "8.5.1", "GHSA-8cf7-32gw-wr33", "9.0.0"]]);
    expect(summaryOf(set(npm("jsonwebtoken", "8.5.1")), [osvFixture("GHSA-27h2-hvpr-p74q")])).toEqual([]);
  });

  it("uses database_specific severity when the advisory has no vector (GHSA-8cf7)", () => {
    expect(matchPackages(set(npm("jsonwebtoken", "8.5.1")), ADVISORIES).result.findings[0]?.severity).toBe("medium");
  });

  it("matches PyPI names whatever their spelling: Jinja2 and jinja2 advisories both apply", () => {
    const expected = [
      ["jinja2", "3.1.2", "GHSA-h5c8-rqwp-cp95", "3.1.3"],
      ["jinja2", "3.1.2", "GHSA-h75v-3vvj-5mfj", "3.1.4"],
    ];
    expect(summaryOf(set(pypi("Jinja2", "3.1.2")))).toEqual(expected);
    expect(summaryOf(set(pypi("jinja2", "3.1.2")))).toEqual(expected);
    expect(summaryOf(set(pypi("JINJA_2", "3.1.2")))).toEqual([]);
    expect(summaryOf(set(pypi("jinja2", "3.1.3")))).toEqual([["jinja2", "3.1.3", "GHSA-h75v-3vvj-5mfj", "3.1.4"]]);
  });

  it("matches PyPI multi-range advisories (urllib3 1.26.16 → fixed in 1.26.17 and 1.26.19)", () => {
    expect(summaryOf(set(pypi("urllib3", "1.26.16"), pypi("urllib3", "2.0.5")))).toEqual([
      ["urllib3", "1.26.16", "GHSA-34jh-p97f-mpxf", "1.26.19"],
      ["urllib3", "1.26.16", "GHSA-v845-jxx5-vc9f", "1.26.17"],
      ["urllib3", "2.0.5", "GHSA-34jh-p97f-mpxf", "2.2.2"],
      ["urllib3", "2.0.5", "GHSA-v845-jxx5-vc9f", "2.0.6"],
    ]);
  });

  it("does not match a package of the same name in another ecosystem", () => {
    expect(summaryOf(set({ ecosystem: "PyPI", name: "lodash", version: "1.0.0" }, { ecosystem: "npm", name: "requests", version: "2.0.0" }))).toEqual([]);
  });

  it("sorts findings by package, version, id and counts them by severity", () => {
    const { result } = matchPackages(set(npm("qs", "6.5.2"), npm("express", "4.18.2"), npm("axios", "1.5.0"), npm("express", "4.19.2")), ADVISORIES);
    expect(result.findings.map((f) => [f.package, f.version, f.id, f.severity])).toEqual([
      ["axios", "1.5.0", "GHSA-wf5p-g6vw-rhxx", "medium"],
      ["express", "4.18.2", "GHSA-qw6h-vgh9-j6wx", "medium"],
      ["express", "4.18.2", "GHSA-rv95-896h-c2vc", "medium"],
      ["express", "4.19.2", "GHSA-qw6h-vgh9-j6wx", "medium"],
      ["qs", "6.5.2", "GHSA-hrpp-h998-j3pp", "high"],
    ]);
    expect(result.summary).toEqual({ critical: 0, high: 1, medium: 4, low: 0, unknown: 0, total: 5 });
  });

  it("tags the result with every package it contains, vulnerable or not", () => {
    const packages: PackageSet = {
      packages: [npm("@cypress/request", "3.0.0"), npm("lodash", "4.17.21"), npm("lodash", "4.17.20"), pypi("Jinja2", "3.1.4")],
      unchecked: [{ ecosystem: "PyPI", name: "flask", spec: "flask>=2", kind: "unpinned", reason: "not pinned" }],
    };
    const output = matchPackages(packages, ADVISORIES);
    expect(output.tags).toEqual(["pkg:PyPI/jinja2", "pkg:npm/@cypress/request", "pkg:npm/lodash"]);
    expect(output.result.unchecked).toEqual(packages.unchecked);
    expect(output.result.packages).toBe(4);
    expect(JSON.parse(JSON.stringify(output))).toEqual(output);
  });

  it("uses the later copy when an advisory is given twice", () => {
    const older = parseAdvisory({ ...(osvJson("GHSA-xvch-5gv4-984h") as object), modified: "2000-01-01T00:00:00Z", summary: "old" });
    const newer = osvFixture("GHSA-xvch-5gv4-984h");
    for (const advisories of [[older, newer], [newer, older]]) {
      expect(matchPackages(set(npm("minimist", "1.2.5")), advisories).result.findings.map((f) => f.summary)).toEqual(["Prototype Pollution in minimist"]);
    }
  });

  it("gives one finding per advisory even when several of its entries match", () => {
    const advisory = parseAdvisory({
      id: "TEST-2",
      modified: "2024-01-01T00:00:00Z",
      affected: [
        { package: { ecosystem: "npm", name: "pkg" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.0" }] }] },
        { package: { ecosystem: "npm", name: "pkg" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "1.0.0" }, { fixed: "2.0.0" }] }] },
      ],
    });
    expect(summaryOf(set(npm("pkg", "1.5.0")), [advisory])).toEqual([["pkg", "1.5.0", "TEST-2", "2.0.0"]]);
  });

  it("returns an empty result for an empty set", () => {
    expect(matchPackages({ packages: [], unchecked: [] }, ADVISORIES)).toEqual({
      result: { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [], unchecked: [], packages: 0 },
      tags: [],
    });
  });
});
