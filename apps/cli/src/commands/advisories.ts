import type { Config } from "@secapi/config";
import { parseAdvisories, storeAdvisories } from "@secapi/core";
import cliProgress from "cli-progress";
import { withDb } from "../database.js";
import { readOsvSources } from "./osv-sources.js";

/** `secapi advisories import PATH`: read, parse (progress bar on stderr), store in one transaction, summarise. */
export async function importAdvisories(config: Config, path: string, options: { json: boolean }): Promise<void> {
  const started = performance.now();
  const interactive = !options.json && process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    { format: "{phase} [{bar}] {value}/{total} {unit}", stream: process.stderr, noTTYOutput: false, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  if (interactive) bar.start(0, 0, { phase: "reading", unit: "files" });
  const sources = await readOsvSources(path, (files) => {
    if (interactive) bar.setTotal(files);
    if (interactive) bar.update(files);
  });
  if (interactive) {
    bar.setTotal(sources.length);
    bar.update(0, { phase: "parsing", unit: "advisories" });
  }
  const { advisories, invalid } = parseAdvisories(sources, (parsed) => interactive && bar.update(parsed));
  if (interactive) bar.stop();
  if (!options.json) console.error(`storing ${advisories.length} advisories...`);
  const { stored } = await withDb(config, (db) => storeAdvisories(db, advisories));
  const seconds = (performance.now() - started) / 1000;

  const summary = { received: sources.length, ...stored, invalid, seconds: Number(seconds.toFixed(3)) };
  if (options.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(
      `Imported ${stored.imported} advisories (${stored.unchanged} unchanged, ${invalid.length} invalid) ` +
        `from ${sources.length} in ${seconds.toFixed(1)} s (${Math.round(sources.length / seconds)}/s)`,
    );
    for (const event of stored.events) console.log(`  advisories.updated: ${event.ecosystem}, ${event.packages} package(s)`);
    for (const item of invalid.slice(0, 20)) console.log(`  invalid: ${item.source}: ${item.message}`);
    if (invalid.length > 20) console.log(`  ... and ${invalid.length - 20} more invalid`);
  }
  if (invalid.length > 0) process.exitCode = 2;
}
