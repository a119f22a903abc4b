import { type ResultEntry, currencyOf, runStoredScan, storeScanResult, taggedLoader } from "@secapi/core";
import type { InputKey } from "@secapi/db";
import { runScan } from "@secapi/scanners";
import type { CacheWorkerContext } from "./context.js";

/**
 * Re-runs a stored result against the current advisories (runStoredScan, as the scan-worker runs it), stores it
 * (content-addressed: it replaces the old one) with the advisory revision it reflects — announcing
 * `scan.findings_changed` when its findings differ — and puts it in the cache,
 * so the next read of a hot result is a HIT, not a rescan. Matching is milliseconds for a thousand packages, so
 * the engine runs here rather than through a scan job. False if it could not be re-run or was not cached.
 */
export async function rerunStoredResult(ctx: CacheWorkerContext, key: InputKey): Promise<boolean> {
  // Cached unless another advisory update invalidated it while this ran (its own re-run follows).
  const { loader, tagsOf } = taggedLoader(async () => {
    const outcome = await runStoredScan({ db: ctx.db, scanInputKey: ctx.scanInputKey, run: async (task) => runScan(task) }, key);
    if (outcome.status === "failed") {
      ctx.logger.warn({ key, code: outcome.code }, "could not re-run a stored result");
      return undefined;
    }
    const { output, basis } = outcome;
    // A re-run that changes the findings marks the scans that showed them and announces it, atomically.
    const { resultId } = await ctx.db.transaction().execute((tx) => storeScanResult(tx, key, output.result, output.tags, basis));
    const entry: ResultEntry = {
      resultId,
      result: output.result,
      computedAt: new Date().toISOString(),
      ...currencyOf(output.tags, basis.advisoryRevision, basis.validUntil),
    };
    return { entry, tags: output.tags };
  });
  const { value, written } = await ctx.cache.refresh(ctx.keys.result(key), loader, {
    ttl: ctx.entryTtlSeconds,
    tagsOf,
    ttlOf: (entry) => (entry ? ctx.entryTtlSeconds : 0),
  });
  return value !== null && written;
}
