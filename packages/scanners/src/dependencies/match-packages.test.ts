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
  it("gives every finding the fields of an advisory stored by an older parser, without the details it lacks", () => {
    const { cvss: _cvss, cwes: _cwes, references: _references, ...older } = parseAdvisory(osvJson("GHSA-xvch-5gv4-984h"));
    const [finding] = matchPackages(set(npm("minimist", "1.2.5")), [older]).result.findings;
    expect(finding).toMatchObject({ cwes: [], references: [], published: "2022-03-18T00:01:09Z" });
    expect(finding).not.toHaveProperty("cvss");
  });

  it("carries what the input says about a package (direct, dev, path) into its findings, and nothing it does not say", () => {
    const transitive: PackageRef = { ...npm("minimist", "1.2.5"), direct: false, dev: true, path: ["mocha", "mkdirp", "minimist"] };
    const [finding] = matchPackages(set(transitive), ADVISORIES).result.findings;
    expect(finding).toMatchObject({ id: "GHSA-xvch-5gv4-984h", direct: false, dev: true, path: ["mocha", "mkdirp", "minimist"] });
    const [plain] = matchPackages(set(npm("minimist", "1.2.5")), ADVISORIES).result.findings;
    expect(Object.keys(plain ?? {})).not.toEqual(expect.arrayContaining(["direct"]));
    expect(plain).not.toHaveProperty("dev");
    expect(plain).not.toHaveProperty("path");
  });

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
        cvss: { version: "3.1", vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 9.8 },
        cwes: ["CWE-1321"],
        published: "2022-03-18T00:01:09Z",
        references: [
          "https://nvd.nist.gov/vuln/detail/CVE-2021-44906",
          "https://github.com/minimistjs/minimist/issues/11",
          "https://github.com/substack/minimist/issues/164",
          "https://github.com/minimistjs/minimist/pull/24",
          "https://github.com/minimistjs/minimist/commit/34e20b8461118608703d6485326abbb8e35e1703",
          "https://github.com/minimistjs/minimist/commit/bc8ecee43875261f4f17eb20b1243d3ed15e70eb",
          "https://github.com/minimistjs/minimist/commit/c2b981977fa834b223b408cfb860f933c9811e4d",
          "https://github.com/minimistjs/minimist/commit/ef9153fc52b6cea0744b2239921c5dcae4697f11",
          "https://github.com/Marynk/JavaScript-vulnerability-detection/blob/main/minimist%20PoC.zip",
          "https://github.com/minimistjs/minimist/commits/v0.2.4",
        ],
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
    expect(
      summaryOf(set(npm("lodash-amd", "4.17.12"), npm("lodash.defaultsdeep", "4.6.0"), npm("lodash-es", "4.17.13")), [
        osvFixture("GHSA-jf85-cpcp-j695"),
      ]),
    ).toEqual([
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
    expect(
      summaryOf(set({ ecosystem: "PyPI", name: "lodash", version: "1.0.0" }, { ecosystem: "npm", name: "requests", version: "2.0.0" })),
    ).toEqual([]);
  });

  it("sorts findings by package, version, id and counts them by severity", () => {
    const { result } = matchPackages(
      set(npm("qs", "6.5.2"), npm("express", "4.18.2"), npm("axios", "1.5.0"), npm("express", "4.19.2")),
      ADVISORIES,
    );
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
    for (const advisories of [
      [older, newer],
      [newer, older],
    ]) {
      expect(matchPackages(set(npm("minimist", "1.2.5")), advisories).result.findings.map((f) => f.summary)).toEqual([
        "Prototype Pollution in minimist",
      ]);
    }
  });

  it("gives one finding per advisory even when several of its entries match", () => {
    const advisory = parseAdvisory({
      id: "TEST-2",
      modified: "2024-01-01T00:00:00Z",
      affected: [
        { package: { ecosystem: "npm", name: "pkg" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.0" }] }] },
        {
          package: { ecosystem: "npm", name: "pkg" },
          ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "1.0.0" }, { fixed: "2.0.0" }] }],
        },
      ],
    });
    expect(summaryOf(set(npm("pkg", "1.5.0")), [advisory])).toEqual([["pkg", "1.5.0", "TEST-2", "2.0.0"]]);
  });

  describe("withdrawn", () => {
    const NOW = Date.parse("2030-01-01T00:00:00Z");
    /** A hand-written advisory on npm `pkg` < 2.0.0, withdrawn at `withdrawn` if given. */
    const advisory = (id: string, withdrawn?: string, name = "pkg") =>
      parseAdvisory({
        id,
        modified: "2029-01-01T00:00:00Z",
        ...(withdrawn ? { withdrawn } : {}),
        affected: [
          { package: { ecosystem: "npm", name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.0.0" }] }] },
        ],
      });
    const ids = (output: ReturnType<typeof matchPackages>) => output.result.findings.map((f) => f.id);

    it("matches an advisory withdrawn in the future, and the result is valid until that moment", () => {
      const output = matchPackages(set(npm("pkg", "1.0.0")), [advisory("TEST-W", "2030-06-01T12:00:00Z")], { now: NOW });
      expect(ids(output)).toEqual(["TEST-W"]);
      expect(output.validUntil).toBe("2030-06-01T12:00:00.000Z");
    });

    it("skips an advisory withdrawn in the past, and one withdrawn exactly now", () => {
      for (const withdrawn of ["2029-12-31T23:59:59Z", "2030-01-01T00:00:00Z", "2030-01-01T01:00:00+01:00"]) {
        const output = matchPackages(set(npm("pkg", "1.0.0")), [advisory("TEST-W", withdrawn)], { now: NOW });
        expect([withdrawn, ids(output), output.validUntil]).toEqual([withdrawn, [], undefined]);
      }
    });

    it("is valid until the earliest future withdrawal among the advisories behind a finding", () => {
      const advisories = [
        advisory("TEST-A", "2030-09-01T00:00:00Z"),
        advisory("TEST-B", "2030-03-01T00:00:00Z"),
        advisory("TEST-C"),
        // Withdrawn sooner, but it produces no finding: its withdrawal changes nothing.
        advisory("TEST-D", "2030-02-01T00:00:00Z", "other"),
      ];
      const output = matchPackages(set(npm("pkg", "1.0.0"), npm("other", "3.0.0")), advisories, { now: NOW });
      expect(ids(output)).toEqual(["TEST-A", "TEST-B", "TEST-C"]);
      expect(output.validUntil).toBe("2030-03-01T00:00:00.000Z");
      expect(matchPackages(set(npm("pkg", "1.0.0")), [advisory("TEST-C")], { now: NOW })).not.toHaveProperty("validUntil");
    });

    it("compares with the clock by default", () => {
      const day = 24 * 60 * 60 * 1000;
      const future = new Date(Date.now() + day).toISOString();
      const past = new Date(Date.now() - day).toISOString();
      const output = matchPackages(set(npm("pkg", "1.0.0")), [advisory("TEST-F", future), advisory("TEST-P", past)]);
      expect(ids(output)).toEqual(["TEST-F"]);
      expect(output.validUntil).toBe(future);
    });
  });

  describe("unverified findings", () => {
    const advisory = (id: string, affected: Record<string, unknown>[]) => parseAdvisory({ id, modified: "2024-01-01T00:00:00Z", affected });
    const pkgEntry = (events: Record<string, string>[]) => ({
      package: { ecosystem: "npm", name: "pkg" },
      ranges: [{ type: "SEMVER", events }],
    });

    it("reports a version an unreadable range may contain as unverified, and counts it in the summary", () => {
      const unreadable = advisory("TEST-U", [pkgEntry([{ introduced: "1.0.0" }, { fixed: "1.0.0.1" }])]);
      const { result } = matchPackages(set(npm("pkg", "0.9.0"), npm("pkg", "1.5.0")), [unreadable]);
      expect(result.findings).toEqual([
        {
          id: "TEST-U",
          aliases: [],
          ecosystem: "npm",
          package: "pkg",
          version: "1.5.0",
          severity: "unknown",
          summary: "",
          fixed_in: null,
          cwes: [],
          published: null,
          references: [],
          confidence: "unverified",
        },
      ]);
      expect(result.summary).toEqual({ critical: 0, high: 0, medium: 0, low: 0, unknown: 1, total: 1 });
    });

    it("reports a normal finding when another entry of the same advisory verifies the version, with that entry's fix", () => {
      const mixed = advisory("TEST-M", [
        pkgEntry([{ introduced: "0" }, { fixed: "1.1.5" }, { last_affected: "bogus" }]),
        pkgEntry([{ introduced: "1.0.0" }, { fixed: "1.2.0" }]),
      ]);
      const findings = matchPackages(set(npm("pkg", "0.5.0"), npm("pkg", "1.1.0"), npm("pkg", "3.0.0")), [mixed]).result.findings;
      // 1.1.0: the unverified entry's lower fix (1.1.5) is not trusted over the verified one's.
      expect(findings.map((f) => [f.version, f.fixed_in, f.confidence])).toEqual([
        ["0.5.0", "1.1.5", "unverified"],
        ["1.1.0", "1.2.0", undefined],
      ]);
      expect(findings[1]).not.toHaveProperty("confidence");
    });

    it("reports an installed version that is not a semver as unverified for every advisory with ranges", () => {
      const findings = matchPackages(set(npm("minimist", "latest")), ADVISORIES).result.findings;
      expect(findings.map((f) => [f.id, f.fixed_in, f.confidence])).toEqual([
        ["GHSA-vh95-rmgr-6w4m", null, "unverified"],
        ["GHSA-xvch-5gv4-984h", null, "unverified"],
      ]);
    });

    it("closes a range whose fixed is a short version instead of reporting every version", () => {
      const short = advisory("TEST-S", [pkgEntry([{ introduced: "0" }, { fixed: "1" }])]);
      expect(summaryOf(set(npm("pkg", "0.5.0"), npm("pkg", "1.0.0"), npm("pkg", "2.0.0")), [short])).toEqual([
        ["pkg", "0.5.0", "TEST-S", "1.0.0"],
      ]);
    });
  });

  it("returns an empty result for an empty set", () => {
    expect(matchPackages({ packages: [], unchecked: [] }, ADVISORIES)).toEqual({
      result: { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [], unchecked: [], packages: 0 },
      tags: [],
    });
  });
});
