import { describe, expect, it } from "vitest";
import type { Advisory } from "./advisory.js";
import { allOsvFixtures } from "./fixtures.fixture.js";
import { prepareAdvisory } from "./match-index.js";
import { matchPackages, matchPrepared } from "./match-packages.js";
import type { PackageRef, PackageSet } from "./package-set.js";

/**
 * Every fixture advisory, plus what makes the index's choices visible: a second, later copy of one advisory
 * (the later must win whichever comes first), and copies withdrawn in the past and in the future.
 */
function advisories(): Advisory[] {
  const fixtures = allOsvFixtures();
  const [first, second, third] = fixtures as [Advisory, Advisory, Advisory];
  return [
    ...fixtures,
    { ...structuredClone(first), modified: "2099-01-01T00:00:00Z", summary: "a later copy", affected: second.affected },
    { ...structuredClone(third), id: "TEST-WITHDRAWN-PAST", withdrawn: "2001-01-01T00:00:00Z" },
    { ...structuredClone(third), id: "TEST-WITHDRAWN-LATER", withdrawn: "2090-01-01T00:00:00Z" },
  ];
}

/** Each named package at every version its advisories name, one below the first and one above the last. */
function packagesNamedBy(held: readonly Advisory[]): PackageSet {
  const packages = new Map<string, PackageRef>();
  const add = (ref: PackageRef) => packages.set(`${ref.ecosystem}\0${ref.name}\0${ref.version}`, ref);
  for (const advisory of held)
    for (const { ecosystem, name, ranges, versions } of advisory.affected) {
      const named = [...versions, ...ranges.flatMap((r) => [...r.events, ...(r.unreadable ?? [])].map((e) => e.version))];
      for (const version of [...named, "0.0.1", "999.0.0", "not a version"]) add({ ecosystem, name, version });
    }
  return { packages: [...packages.values()], unchecked: [] };
}

describe("matchPrepared", () => {
  it("finds what matchPackages finds over the same advisories, scan after scan with the same prepared copies", () => {
    const held = advisories();
    const set = packagesNamedBy(held);
    const prepared = held.map(prepareAdvisory);
    // Reversed too: which copy of a duplicated id wins must not depend on the order.
    const reversed = [...prepared].reverse();
    for (const now of [Date.parse("2000-01-01T00:00:00Z"), Date.parse("2026-12-03T00:00:00Z"), Date.parse("2095-01-01T00:00:00Z")]) {
      const expected = matchPackages(set, structuredClone(held), { now });
      expect(expected.result.findings.length).toBeGreaterThan(100);
      for (let scan = 0; scan < 3; scan++) {
        expect(matchPrepared(set, prepared, { now })).toEqual(expected);
        expect(matchPrepared(set, reversed, { now })).toEqual(expected);
      }
    }
  });

  it("gives findings arrays of their own: changing one changes neither the held advisory nor the next scan", () => {
    const held = advisories();
    const set = packagesNamedBy(held);
    const prepared = held.map(prepareAdvisory);
    const before = JSON.stringify(held);
    const first = matchPrepared(set, prepared, { now: 0 });
    for (const finding of first.result.findings) {
      finding.aliases.push("CHANGED");
      finding.references.push("CHANGED");
      finding.cwes.push("CHANGED");
    }
    expect(JSON.stringify(held)).toBe(before);
    expect(JSON.stringify(matchPrepared(set, prepared, { now: 0 }))).not.toContain("CHANGED");
  });
});
