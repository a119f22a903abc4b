import { performance } from "node:perf_hooks";
import { canonicalPackageSet, extractPackages, matchPackages, normalizePackageName, parseAdvisory } from "@secapi/scanners";
import type { Advisory, Ecosystem, PackageRef, PackageSet } from "@secapi/scanners";
import { measureSerial, report } from "./harness.js";

/**
 * Dependency matching: parse a generated OSV database (50,000 advisories over 20,000 npm and PyPI
 * packages, seeded), then match a 1,000-package set against the advisories its packages have, as a
 * scan-worker does after fetching them by (ecosystem, name). Target: matchPackages p50 < 100 ms.
 */

const PACKAGES = 20_000;
const ADVISORIES = 50_000;
const SET_SIZE = 1_000;
const ITERATIONS = 50;
const TARGET_P50_MS = 100;

/** mulberry32: the same database every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seeded(0x05ca1e);
const int = (max: number): number => Math.floor(random() * max);
const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;

interface GeneratedPackage {
  ecosystem: Ecosystem;
  name: string;
}

// Real-world spellings: npm scopes, PyPI names in mixed case and with `_`/`.` (normalised on parse).
const packages: GeneratedPackage[] = Array.from({ length: PACKAGES }, (_, i) =>
  i % 5 < 3
    ? { ecosystem: "npm", name: i % 7 === 0 ? `@scope-${i % 97}/pkg-${i}` : `pkg-${i}` }
    : { ecosystem: "PyPI", name: i % 3 === 0 ? `Py_Package.${i}` : `py-package-${i}` },
);

const version = (ecosystem: Ecosystem, major: number, minor: number, patch: number): string =>
  ecosystem === "PyPI" && patch === 0 ? `${major}.${minor}` : `${major}.${minor}.${patch}`;

const VECTORS_V3 = [
  "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
  "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
  "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N",
  "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L",
  "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N",
  "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:L/I:N/A:N",
  "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N",
];
const VECTORS_V4 = [
  "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
  "CVSS:4.0/AV:N/AC:L/AT:P/PR:N/UI:P/VC:N/VI:N/VA:N/SC:L/SI:L/SA:L",
];

/** Range shapes in roughly the proportions of the GitHub Advisory Database. */
function affectedEntries(pkg: GeneratedPackage): Record<string, unknown>[] {
  const at = (events: Record<string, string>[], extra: Record<string, unknown> = {}) => ({
    package: { ecosystem: pkg.ecosystem, name: pkg.name },
    ranges: [{ type: "ECOSYSTEM", events }],
    ...extra,
  });
  const major = int(6);
  const minor = int(20);
  const shape = random();
  if (shape < 0.5) return [at([{ introduced: "0" }, { fixed: version(pkg.ecosystem, major, minor, 1 + int(9)) }])];
  if (shape < 0.7) {
    return [at([{ introduced: version(pkg.ecosystem, major, 0, 0) }, { fixed: version(pkg.ecosystem, major, minor, 1 + int(9)) }])];
  }
  if (shape < 0.85) {
    // Backport lines, one affected entry each, as GHSA writes them.
    return Array.from({ length: 2 + int(3) }, (_, line) =>
      at([{ introduced: version(pkg.ecosystem, major + line, 0, 0) }, { fixed: version(pkg.ecosystem, major + line, minor, 1 + int(9)) }]),
    );
  }
  if (shape < 0.95) return [at([{ introduced: "0" }, { last_affected: version(pkg.ecosystem, major, minor, int(10)) }])];
  // osv.dev style: an enumerated versions list beside the range, and a pre-release bound.
  const pre = pkg.ecosystem === "npm" ? `${major + 1}.0.0-beta.${1 + int(5)}` : `${major + 1}.0b${1 + int(5)}`;
  const versions = Array.from({ length: 20 + int(80) }, (_, i) => version(pkg.ecosystem, major, Math.floor(i / 10), i % 10));
  return [at([{ introduced: version(pkg.ecosystem, major, 0, 0) }, { fixed: pre }], { versions })];
}

function osvRecord(n: number): Record<string, unknown> {
  const first = pick(packages);
  // One advisory in ten names a sibling package too (lodash and lodash-es).
  const affected = random() < 0.1 ? [...affectedEntries(first), ...affectedEntries(pick(packages))] : affectedEntries(first);
  const severityShape = random();
  const severity =
    severityShape < 0.1
      ? []
      : severityShape < 0.2
        ? [{ type: "CVSS_V3", score: pick(VECTORS_V3) }, { type: "CVSS_V4", score: pick(VECTORS_V4) }]
        : [{ type: "CVSS_V3", score: pick(VECTORS_V3) }];
  return {
    schema_version: "1.4.0",
    id: `GHSA-bench-${n.toString(36).padStart(4, "0")}`,
    modified: "2024-06-01T00:00:00Z",
    published: "2024-01-01T00:00:00Z",
    aliases: [`CVE-2024-${10000 + n}`],
    summary: `Generated advisory ${n}`,
    details: "Generated for the matching benchmark.",
    severity,
    affected,
    references: [{ type: "WEB", url: `https://example.com/advisories/${n}` }],
    database_specific: { severity: pick(["CRITICAL", "HIGH", "MODERATE", "LOW"]), cwe_ids: ["CWE-79"] },
  };
}

const keyOf = (ecosystem: Ecosystem, name: string): string => `${ecosystem}/${name}`;
const count = (n: number): string => n.toLocaleString("en-US");

/** What Postgres answers for an (ecosystem, name): the advisories that affect it. */
function indexByPackage(advisories: readonly Advisory[]): Map<string, Advisory[]> {
  const byPackage = new Map<string, Advisory[]>();
  for (const advisory of advisories) {
    for (const key of new Set(advisory.affected.map((a) => keyOf(a.ecosystem, a.name)))) {
      const list = byPackage.get(key);
      if (list === undefined) byPackage.set(key, [advisory]);
      else list.push(advisory);
    }
  }
  return byPackage;
}

/** 1,000 distinct packages, half of them with advisories, at versions across their history. */
function packageSet(byPackage: Map<string, Advisory[]>): PackageSet {
  const withAdvisories = packages.filter((p) => byPackage.has(keyOf(p.ecosystem, normalizePackageName(p.ecosystem, p.name))));
  const chosen = new Set<GeneratedPackage>();
  while (chosen.size < SET_SIZE) chosen.add(chosen.size % 2 === 0 ? pick(withAdvisories) : pick(packages));
  const refs: PackageRef[] = [...chosen].map((p) => ({
    ecosystem: p.ecosystem,
    name: p.name,
    version: version(p.ecosystem, int(7), int(20), int(10)),
  }));
  return canonicalPackageSet({ packages: refs, unchecked: [] });
}

export default async function matchingBench(): Promise<void> {
  const records = Array.from({ length: ADVISORIES }, (_, n) => osvRecord(n));
  const parsed: Advisory[] = [];
  const parsing = await measureSerial("parseAdvisory", () => parsed.push(parseAdvisory(records[parsed.length])), ADVISORIES);

  const byPackage = indexByPackage(parsed);
  const set = packageSet(byPackage);
  const candidates = [...new Set(set.packages.flatMap((p) => byPackage.get(keyOf(p.ecosystem, p.name)) ?? []))];

  const coldStarted = performance.now();
  const first = matchPackages(set, candidates);
  const coldMs = performance.now() - coldStarted;
  for (let i = 0; i < 5; i++) matchPackages(set, candidates);

  const baseline = await measureSerial(
    "baseline: Map lookup of the 1,000 packages",
    () => set.packages.reduce((found, p) => found + (byPackage.get(keyOf(p.ecosystem, p.name))?.length ?? 0), 0),
    ITERATIONS,
  );
  const matching = await measureSerial(
    `matchPackages: 1,000 packages × ${count(candidates.length)} candidate advisories`,
    () => matchPackages(set, candidates),
    ITERATIONS,
  );
  const matchingAll = await measureSerial(
    `matchPackages: 1,000 packages × all ${count(ADVISORIES)} advisories`,
    () => matchPackages(set, parsed),
    10,
  );

  const npmOnly = set.packages.filter((p) => p.ecosystem === "npm");
  const lockfile = JSON.stringify({
    name: "bench",
    lockfileVersion: 3,
    packages: Object.fromEntries([["", { name: "bench" }], ...npmOnly.map((p) => [`node_modules/${p.name}`, { version: p.version }])]),
  });
  const extracting = await measureSerial(
    `extractPackages: package-lock.json v3, ${npmOnly.length} packages`,
    () => extractPackages({ lockfile, format: "package-lock.json" }),
    ITERATIONS,
  );

  const met = matching.p50Ms < TARGET_P50_MS ? "met" : "MISSED";
  report("Dependency matching (OSV semantics)", baseline, [matching, matchingAll, extracting], [
    `parseAdvisory: ${count(ADVISORIES)} generated OSV advisories over ${count(PACKAGES)} npm/PyPI packages at ` +
      `${count(Math.round(parsing.opsPerSecond))} advisories/s (p50 ${parsing.p50Ms.toFixed(3)} ms, p95 ${parsing.p95Ms.toFixed(3)} ms each).`,
    `The set has ${set.packages.length} packages and ${first.result.summary.total} findings; ` +
      `the first matchPackages call in this process took ${coldMs.toFixed(1)} ms.`,
    `Target: matchPackages p50 < ${TARGET_P50_MS} ms for 1,000 packages with their candidate advisories: ${met} ` +
      `(p50 ${matching.p50Ms.toFixed(2)} ms, p95 ${matching.p95Ms.toFixed(2)} ms).`,
  ]);
}
