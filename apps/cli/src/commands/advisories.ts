import type { Config } from "@secapi/config";
import { type InvalidAdvisory, advisoryRecord, storeAdvisoryBatches } from "@secapi/core";
import type { AdvisoryRecord } from "@secapi/db";
import { AdvisoryError, parseAdvisory } from "@secapi/scanners";
import cliProgress from "cli-progress";
import { withDb } from "../database.js";
import { openOsvSources } from "./osv-sources.js";

/** Advisories parsed and written per statement while a source streams in. */
const BATCH = 500;

/**
 * `secapi advisories import PATH`: read as a stream, parse and store in batches (progress bar on stderr), all in
 * one transaction (it commits whole or not at all), summarise. Memory stays flat whatever the size of the dump.
 */
export async function importAdvisories(config: Config, path: string, options: { json: boolean }): Promise<void> {
  const started = performance.now();
  const interactive = !options.json && process.stderr.isTTY === true;
  const bar = new cliProgress.SingleBar(
    { format: "{phase} [{bar}] {value} {unit}", stream: process.stderr, noTTYOutput: false, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const sources = await openOsvSources(path);
  const invalid: InvalidAdvisory[] = [];
  let received = 0;
  const batches = async function* () {
    let batch: AdvisoryRecord[] = [];
    for await (const source of sources) {
      received++;
      try {
        batch.push(advisoryRecord(parseAdvisory(source.json)));
      } catch (error) {
        if (!(error instanceof AdvisoryError)) throw error;
        invalid.push({ source: source.source, message: error.message });
      }
      if (batch.length >= BATCH) {
        if (interactive) bar.update(received);
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  };
  if (interactive) bar.start(0, 0, { phase: "importing", unit: "advisories" });
  const { stored } = await withDb(config, (db) => storeAdvisoryBatches(db, batches())).finally(() => interactive && bar.stop());
  const seconds = (performance.now() - started) / 1000;

  const summary = { received, ...stored, invalid, seconds: Number(seconds.toFixed(3)) };
  if (options.json) {
    console.log(JSON.stringify(summary));
  } else {
    console.log(
      `Imported ${stored.imported} advisories (${stored.unchanged} unchanged, ${invalid.length} invalid) ` +
        `from ${received} in ${seconds.toFixed(1)} s (${Math.round(received / seconds)}/s)`,
    );
    for (const event of stored.events) console.log(`  advisories.updated: ${event.ecosystem}, ${event.packages} package(s)`);
    for (const item of invalid.slice(0, 20)) console.log(`  invalid: ${item.source}: ${item.message}`);
    if (invalid.length > 20) console.log(`  ... and ${invalid.length - 20} more invalid`);
  }
  if (invalid.length > 0) process.exitCode = 2;
}
