import type { Config } from "@secapi/config";
import { type AdvisorySyncProgress, syncAdvisoryFeed } from "@secapi/core";
import { withDb } from "../database.js";

function progressLine(p: AdvisorySyncProgress): string {
  const count = p.total === undefined ? `${p.done}` : `${p.done}/${p.total}`;
  switch (p.phase) {
    case "all.zip":
      return `${p.ecosystem}: downloading all.zip (first sync)`;
    case "modified_id.csv":
      return `${p.ecosystem}: reading modified_id.csv`;
    case "advisories":
      return `${p.ecosystem}: downloading changed advisories ${count}`;
    case "storing":
      return `${p.ecosystem}: storing ${count}`;
    case "done":
      return `${p.ecosystem}: done`;
    case "failed":
      return `${p.ecosystem}: failed`;
  }
}

/** `secapi advisories sync [--ecosystem E]`: one feed sync now, progress on stderr, a summary per ecosystem. */
export async function syncAdvisories(config: Config, options: { ecosystem?: string; json: boolean }): Promise<void> {
  const ecosystems = options.ecosystem ? [options.ecosystem] : config.advisorySync.sources;
  const interactive = !options.json;
  if (interactive) console.error(`syncing ${ecosystems.join(", ")} from ${config.advisorySync.url}`);
  // Downloads report each advisory; print every 100th and every phase change.
  const onProgress = (p: AdvisorySyncProgress) => {
    if (interactive && (p.phase !== "advisories" || p.done % 100 === 0 || p.done === p.total)) console.error(progressLine(p));
  };
  const result = await withDb(config, (db) =>
    syncAdvisoryFeed({ db, baseUrl: config.advisorySync.url, ecosystems, proxy: config.proxy, onProgress }),
  );
  if (result.status === "busy") {
    if (options.json) console.log(JSON.stringify(result));
    else console.error("another advisory sync is running; try again when it has finished");
    process.exitCode = 2;
    return;
  }
  if (options.json) {
    console.log(JSON.stringify(result));
  } else {
    for (const e of result.ecosystems) {
      const seconds = (e.durationMs / 1000).toFixed(1);
      if (e.outcome === "failed") console.log(`${e.ecosystem}: FAILED (${e.mode}) after ${seconds} s: ${e.error}`);
      else
        console.log(
          `${e.ecosystem}: ${e.outcome} (${e.mode}): ${e.downloaded} read, ${e.imported} imported, ${e.unchanged} unchanged, ` +
            `${e.invalid.length} invalid in ${seconds} s`,
        );
    }
  }
  if (result.ecosystems.some((e) => e.outcome === "failed")) process.exitCode = 2;
}
