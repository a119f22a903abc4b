import { performance } from "node:perf_hooks";
import { extractPackages, matchPackages, parseAdvisory } from "@secapi/scanners";
import type { Advisory } from "@secapi/scanners";
import { ADVISORIES, PACKAGES, indexByPackage, keyOf, osvRecord, packageSet } from "./fixtures/osv-generator.js";
import { measureSerial, report } from "./harness.js";

/**
 * Dependency matching: parse a generated OSV database (50,000 advisories over 20,000 npm and PyPI
 * packages, seeded), then match a 1,000-package set against the advisories its packages have, as a
 * scan-worker does after fetching them by (ecosystem, name). Target: matchPackages p50 < 100 ms.
 */

const ITERATIONS = 50;
const TARGET_P50_MS = 100;
const count = (n: number): string => n.toLocaleString("en-US");

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
  report(
    "Dependency matching (OSV semantics)",
    baseline,
    [matching, matchingAll, extracting],
    [
      `parseAdvisory: ${count(ADVISORIES)} generated OSV advisories over ${count(PACKAGES)} npm/PyPI packages at ` +
        `${count(Math.round(parsing.opsPerSecond))} advisories/s (p50 ${parsing.p50Ms.toFixed(3)} ms, p95 ${parsing.p95Ms.toFixed(3)} ms each).`,
      `The set has ${set.packages.length} packages and ${first.result.summary.total} findings; ` +
        `the first matchPackages call in this process took ${coldMs.toFixed(1)} ms.`,
      `Target: matchPackages p50 < ${TARGET_P50_MS} ms for 1,000 packages with their candidate advisories: ${met} ` +
        `(p50 ${matching.p50Ms.toFixed(2)} ms, p95 ${matching.p95Ms.toFixed(2)} ms).`,
    ],
  );
}
