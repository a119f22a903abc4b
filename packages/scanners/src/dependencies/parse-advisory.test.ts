import { describe, expect, it } from "vitest";
import { AdvisoryError } from "./advisory-error.js";
import { advisoryPackageKeys } from "./advisory-package-keys.js";
import { allOsvFixtures, osvFixture, osvJson } from "./fixtures.fixture.js";
import { parseAdvisory } from "./parse-advisory.js";

/** A minimal valid OSV advisory with the given overrides. */
function osv(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "TEST-1",
    modified: "2024-01-01T00:00:00Z",
    affected: [
      { package: { ecosystem: "npm", name: "pkg" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "1.0.0" }] }] },
    ],
    ...overrides,
  };
}

describe("parseAdvisory", () => {
  it("parses every fixture into plain JSON", () => {
    const advisories = allOsvFixtures();
    expect(advisories).toHaveLength(25);
    for (const advisory of advisories) expect(JSON.parse(JSON.stringify(advisory))).toEqual(advisory);
  });

  it("keeps id, dates, aliases and summary", () => {
    expect(osvFixture("GHSA-35jh-r3h4-6jhm")).toMatchObject({
      id: "GHSA-35jh-r3h4-6jhm",
      modified: expect.stringMatching(/^20\d\d-/),
      published: expect.stringMatching(/^20\d\d-/),
      aliases: ["CVE-2021-23337"],
      summary: "Command Injection in lodash",
    });
  });

  describe("severity", () => {
    it("rates the CVSS v3 base score: 9.8 is critical even where GitHub says so too", () => {
      expect(osvFixture("GHSA-xvch-5gv4-984h").severity).toBe("critical");
    });

    it("rates the CVSS v3 base score over database_specific (7.2 → high)", () => {
      expect(osvFixture("GHSA-35jh-r3h4-6jhm").severity).toBe("high");
    });

    it("takes the highest of the CVSS v3 (5.0) and v4 (2.3) scores", () => {
      expect(osvFixture("GHSA-qw6h-vgh9-j6wx").severity).toBe("medium");
    });

    it("rates a fixture with CVSS v3 (7.5) and v4 (8.7) vectors high", () => {
      expect(osvFixture("GHSA-3ww4-gg4f-jr7f").severity).toBe("high");
    });

    it("rates a CVSS v4 vector when it is the higher one", () => {
      const v4High = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
      const v3Low = "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N";
      const advisory = parseAdvisory(
        osv({
          severity: [
            { type: "CVSS_V3", score: v3Low },
            { type: "CVSS_V4", score: v4High },
          ],
        }),
      );
      expect(advisory.severity).toBe("critical");
      expect(parseAdvisory(osv({ severity: [{ type: "CVSS_V3", score: v3Low }] })).severity).toBe("low");
    });

    it("falls back to database_specific.severity when severity is empty", () => {
      expect(osvFixture("GHSA-wf5p-g6vw-rhxx").severity).toBe("medium");
      expect(osvFixture("GHSA-8cf7-32gw-wr33").severity).toBe("medium");
    });

    it.each([
      ["CRITICAL", "critical"],
      ["HIGH", "high"],
      ["MODERATE", "medium"],
      ["MEDIUM", "medium"],
      ["low", "low"],
      ["bogus", "unknown"],
    ])("maps database_specific.severity %s to %s", (stated, expected) => {
      expect(parseAdvisory(osv({ database_specific: { severity: stated } })).severity).toBe(expected);
    });

    it("uses per-package CVSS vectors too", () => {
      const affected = [
        {
          package: { ecosystem: "npm", name: "pkg" },
          severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
        },
      ];
      expect(parseAdvisory(osv({ affected })).severity).toBe("critical");
    });

    it("is unknown without a usable vector or database severity; broken vectors are ignored", () => {
      expect(parseAdvisory(osv()).severity).toBe("unknown");
      const broken = [
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N" },
        { type: "CVSS_V3", score: "CVSS:3.1/AV:Q/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" },
        { type: "CVSS_V4", score: "not a vector" },
        { type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:C/I:C/A:C" },
      ];
      expect(parseAdvisory(osv({ severity: broken })).severity).toBe("unknown");
    });
  });

  it("trims the summary (GHSA-8cf7 ends with a space)", () => {
    expect(osvFixture("GHSA-8cf7-32gw-wr33").summary).toBe("jsonwebtoken unrestricted key type could lead to legacy keys usage");
  });

  it("keeps the withdrawn date", () => {
    expect(osvFixture("GHSA-27h2-hvpr-p74q").withdrawn).toBe("2023-01-27T21:51:55Z");
    expect(osvFixture("GHSA-8cf7-32gw-wr33")).not.toHaveProperty("withdrawn");
  });

  it("normalises PyPI names (PEP 503), so Jinja2 and jinja2 advisories share a key", () => {
    expect(advisoryPackageKeys(osvFixture("GHSA-h75v-3vvj-5mfj"))).toEqual([{ ecosystem: "PyPI", name: "jinja2" }]);
    expect(advisoryPackageKeys(osvFixture("GHSA-h5c8-rqwp-cp95"))).toEqual([{ ecosystem: "PyPI", name: "jinja2" }]);
    expect(advisoryPackageKeys(osvFixture("GHSA-8q59-q68h-6hv4"))).toEqual([{ ecosystem: "PyPI", name: "pyyaml" }]);
  });

  it("lists every package of a multi-package advisory once", () => {
    expect(advisoryPackageKeys(osvFixture("GHSA-29mw-wpgm-hmr9"))).toEqual([
      { ecosystem: "npm", name: "lodash" },
      { ecosystem: "npm", name: "lodash-es" },
      { ecosystem: "npm", name: "lodash.trim" },
      { ecosystem: "npm", name: "lodash.trimend" },
    ]);
    expect(advisoryPackageKeys(osvFixture("GHSA-hrpp-h998-j3pp"))).toEqual([{ ecosystem: "npm", name: "qs" }]);
  });

  it("precomputes the fixed versions of each entry, lowest first", () => {
    const advisory = parseAdvisory(
      osv({
        affected: [
          {
            package: { ecosystem: "npm", name: "pkg" },
            ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "2.0.0" }, { fixed: "2.0.5" }, { introduced: "0" }, { fixed: "1.9.0" }] }],
          },
        ],
      }),
    );
    expect(advisory.affected[0]?.fixed).toEqual(["1.9.0", "2.0.5"]);
    expect(advisory.affected[0]?.ranges[0]?.events.map((e) => `${e.kind}:${e.version}`)).toEqual([
      "introduced:0",
      "fixed:1.9.0",
      "introduced:2.0.0",
      "fixed:2.0.5",
    ]);
  });

  it("drops GIT ranges and unsupported ecosystems; keeps events whose version does not parse apart, as written", () => {
    const advisory = parseAdvisory(
      osv({
        affected: [
          { package: { ecosystem: "Hex", name: "phoenix" }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }] }] },
          {
            package: { ecosystem: "npm", name: "pkg" },
            ranges: [
              { type: "GIT", repo: "https://example.com/r", events: [{ introduced: "0" }, { fixed: "a".repeat(40) }] },
              { type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "not-a-version" }, { fixed: "2.0.0" }] },
            ],
            versions: ["1.0.0", "v1.1.0", "weird"],
          },
          { ranges: [{ type: "GIT", repo: "https://example.com/r", events: [{ introduced: "0" }] }] },
        ],
      }),
    );
    expect(advisory.affected).toEqual([
      {
        ecosystem: "npm",
        name: "pkg",
        ranges: [
          {
            type: "ECOSYSTEM",
            events: [
              { kind: "introduced", version: "0" },
              { kind: "fixed", version: "2.0.0" },
            ],
            unreadable: [{ kind: "fixed", version: "not-a-version" }],
          },
        ],
        versions: ["1.0.0", "1.1.0", "weird"],
        fixed: ["2.0.0"],
      },
    ]);
  });

  describe("short versions", () => {
    /** The stored events of the first range of a one-entry advisory. */
    const storedEvents = (ecosystem: string, type: string, events: Record<string, string>[]) =>
      parseAdvisory(osv({ affected: [{ package: { ecosystem, name: "pkg" }, ranges: [{ type, events }] }] })).affected[0]?.ranges[0];

    it("stores npm and crates.io short versions padded, in SEMVER and ECOSYSTEM ranges, and sorts them as padded", () => {
      expect(storedEvents("npm", "SEMVER", [{ introduced: "0" }, { fixed: "1" }])).toEqual({
        type: "SEMVER",
        events: [
          { kind: "introduced", version: "0" },
          { kind: "fixed", version: "1.0.0" },
        ],
      });
      expect(
        storedEvents("crates.io", "ECOSYSTEM", [{ introduced: "1.10" }, { last_affected: "1.9.5" }, { introduced: "1.2" }, { limit: "2" }])
          ?.events,
      ).toEqual([
        { kind: "introduced", version: "1.2.0" },
        { kind: "last_affected", version: "1.9.5" },
        { kind: "introduced", version: "1.10.0" },
        { kind: "limit", version: "2.0.0" },
      ]);
    });

    it("stores Go's v-prefixed short versions without the v; full versions stay as written", () => {
      expect(storedEvents("Go", "ECOSYSTEM", [{ introduced: "v1" }, { fixed: "v1.2" }, { introduced: "v1.3.0" }])?.events).toEqual([
        { kind: "introduced", version: "1.0.0" },
        { kind: "fixed", version: "1.2.0" },
        { kind: "introduced", version: "v1.3.0" },
      ]);
    });

    it("leaves PyPI ECOSYSTEM versions as written (PEP 440 reads 1 itself) and pads a PyPI SEMVER range", () => {
      expect(storedEvents("PyPI", "ECOSYSTEM", [{ introduced: "1" }, { fixed: "2.1" }])?.events.map((e) => e.version)).toEqual([
        "1",
        "2.1",
      ]);
      expect(storedEvents("PyPI", "SEMVER", [{ introduced: "1" }, { fixed: "2.1" }])?.events.map((e) => e.version)).toEqual([
        "1.0.0",
        "2.1.0",
      ]);
    });

    it("does not guess beyond a missing minor or patch: pre-releases on short versions, four parts, leading zeros, dates", () => {
      const range = storedEvents("npm", "SEMVER", [
        { introduced: "1.2-beta" },
        { fixed: "1.2.3.4" },
        { last_affected: "01.2" },
        { limit: "2024-01-01" },
      ]);
      expect(range?.events).toEqual([]);
      expect(range?.unreadable?.map((e) => e.version)).toEqual(["1.2-beta", "1.2.3.4", "01.2", "2024-01-01"]);
    });

    it("lists padded fixes and pads the versions list", () => {
      const advisory = parseAdvisory(
        osv({
          affected: [
            {
              package: { ecosystem: "npm", name: "pkg" },
              ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "2" }] }],
              versions: ["1", "1.5"],
            },
          ],
        }),
      );
      expect(advisory.affected[0]?.fixed).toEqual(["2.0.0"]);
      expect(advisory.affected[0]?.versions).toEqual(["1.0.0", "1.5.0"]);
    });
  });

  it("rejects a withdrawn date that is not a timestamp, since matching compares it with the time", () => {
    expect(() => parseAdvisory(osv({ withdrawn: "soon" }))).toThrow(
      expect.objectContaining({ code: "advisory_invalid", message: expect.stringMatching(/TEST-1: withdrawn/) }),
    );
    expect(parseAdvisory(osv({ withdrawn: "2030-01-01T00:00:00.123456Z" })).withdrawn).toBe("2030-01-01T00:00:00.123456Z");
  });

  it("accepts null optional fields and ignores unknown ones", () => {
    const advisory = parseAdvisory(
      osv({ aliases: null, summary: null, details: "First line.\nMore.", severity: null, x_custom: { a: 1 } }),
    );
    expect(advisory.aliases).toEqual([]);
    expect(advisory.summary).toBe("First line.");
    expect(advisory).not.toHaveProperty("x_custom");
  });

  describe("invalid advisories", () => {
    it.each([
      ["null", null],
      ["a string", "GHSA-1234"],
      ["an array", [osvJson("GHSA-35jh-r3h4-6jhm")]],
      ["no id", osv({ id: undefined })],
      ["no modified", osv({ modified: undefined })],
      ["a numeric id", osv({ id: 7 })],
      ["affected as an object", osv({ affected: { package: "x" } })],
      [
        "an event with two kinds",
        osv({
          affected: [
            { package: { ecosystem: "npm", name: "p" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0", fixed: "1.0.0" }] }] },
          ],
        }),
      ],
      [
        "an event with no kind",
        osv({ affected: [{ package: { ecosystem: "npm", name: "p" }, ranges: [{ type: "SEMVER", events: [{}] }] }] }),
      ],
      [
        "a range without events",
        osv({ affected: [{ package: { ecosystem: "npm", name: "p" }, ranges: [{ type: "SEMVER", events: [] }] }] }),
      ],
      ["a severity score that is not a string", osv({ severity: [{ type: "CVSS_V3", score: 9.8 }] })],
    ])("rejects %s with AdvisoryError advisory_invalid", (_name, json) => {
      let thrown: unknown;
      try {
        parseAdvisory(json);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(AdvisoryError);
      expect(thrown).toMatchObject({ code: "advisory_invalid" });
    });

    it("names the advisory and the offending field", () => {
      expect(() => parseAdvisory(osv({ id: "GHSA-bad", modified: 5 }))).toThrow(/GHSA-bad: modified: /);
    });
  });
});
