import { readFileSync, readdirSync } from "node:fs";
import { type Ecosystem, ecosystemDefinition, isEcosystem } from "@secapi/scanners";
import { type Measurement, measureSerial, report } from "./harness.js";

/**
 * Each ecosystem's version ordering (`pnpm bench matching`): every pair of its sample versions
 * (bench/fixtures/versions/<ecosystem>.json) compared once per iteration, as comparisons per second, against
 * npm's semver ordering in the same run. The schemes remember parses, so this is the warm cost matching pays
 * when it compares the same installed versions with many advisory bounds.
 */
const DIR = new URL("./fixtures/versions/", import.meta.url);
const ITERATIONS = 30;
const count = (n: number): string => Math.round(n).toLocaleString("en-US");

function samples(): Map<Ecosystem, string[]> {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));
  const byEcosystem = new Map<Ecosystem, string[]>();
  for (const file of files) {
    const id = file.slice(0, -".json".length);
    if (!isEcosystem(id)) throw new Error(`bench/fixtures/versions/${file}: ${id} is not an ecosystem`);
    byEcosystem.set(id, JSON.parse(readFileSync(new URL(file, DIR), "utf8")) as string[]);
  }
  return byEcosystem;
}

// Passes over every list before any is timed: npm (the baseline) is timed first, and crates.io shares its code,
// so without them the baseline alone paid for the JIT compiling semver (crates.io came out 3-11× npm).
const WARM_UP_PASSES = 20;

function allPairs(ecosystem: Ecosystem, versions: string[]): () => number {
  const { compare } = ecosystemDefinition(ecosystem).versionScheme;
  return () => {
    let sink = 0;
    for (const a of versions) for (const b of versions) sink += compare(a, b) > 0 ? 1 : 0;
    return sink;
  };
}

async function comparisons(ecosystem: Ecosystem, versions: string[]): Promise<Measurement & { perSecond: number }> {
  const measured = await measureSerial(`${ecosystem}: ${versions.length}² comparisons`, allPairs(ecosystem, versions), ITERATIONS);
  return { ...measured, perSecond: measured.opsPerSecond * versions.length ** 2 };
}

export default async function versionOrderingBench(): Promise<void> {
  const byEcosystem = samples();
  const npmVersions = byEcosystem.get("npm");
  if (!npmVersions) throw new Error("bench/fixtures/versions/npm.json is the baseline and is missing");
  // Parses remembered and code compiled, as matching's first comparisons leave them.
  for (const [ecosystem, versions] of byEcosystem) {
    const pass = allPairs(ecosystem, versions);
    for (let i = 0; i < WARM_UP_PASSES; i++) pass();
  }
  const baseline = await comparisons("npm", npmVersions);
  const others = [];
  for (const [ecosystem, versions] of byEcosystem) if (ecosystem !== "npm") others.push(await comparisons(ecosystem, versions));
  // Lists differ in length; comparisons per second is what compares across ecosystems.
  report("Version ordering per ecosystem (warm)", { ...baseline, name: `baseline: ${baseline.name}` }, others, [
    [
      "Comparisons per second, and as a ratio to npm's semver in this run:",
      ...[baseline, ...others].map(
        (m) => `- ${m.name.split(":")[0]}: ${count(m.perSecond)}/s (${(m.perSecond / baseline.perSecond).toFixed(2)}×)`,
      ),
    ].join("\n"),
  ]);
}
