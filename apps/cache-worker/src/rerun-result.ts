import { type ResultEntry, currencyOf, openInput, taggedLoader } from "@secapi/core";
import { type InputKey, findAdvisorySnapshot, findScanInput, upsertScanResult } from "@secapi/db";
import { type Advisory, type PackageSet, type ScanOutput, matchPackages } from "@secapi/scanners";
import type { CacheWorkerContext } from "./context.js";

/**
 * Re-runs a dependency result against the current advisories, stores it (content-addressed: it replaces
 * the old one) with the advisory revision it reflects, and puts it in the cache, so the next read of a hot
 * result is a HIT, not a rescan. Matching is milliseconds for a thousand packages, so it runs here rather
 * than through a scan job.
 */
export async function rerunDependencyResult(ctx: CacheWorkerContext, key: InputKey): Promise<boolean> {
  const sealed = await findScanInput(ctx.db, key);
  if (!sealed) return false;
  const set = openInput(ctx.scanInputKey, key, sealed) as PackageSet;
  // Cached unless another advisory update invalidated it while this ran (its own re-run follows).
  const { loader, tagsOf } = taggedLoader(async () => {
    const snapshot = await findAdvisorySnapshot(ctx.db, set.packages);
    const output: ScanOutput = matchPackages(set, snapshot.advisories as Advisory[]);
    const basis = { advisoryRevision: snapshot.revision, validUntil: output.validUntil };
    const resultId = await upsertScanResult(ctx.db, key, output.result, output.tags, basis);
    const entry: ResultEntry = {
      resultId,
      result: output.result,
      computedAt: new Date().toISOString(),
      ...currencyOf(output.tags, snapshot.revision, output.validUntil),
    };
    return { entry, tags: output.tags };
  });
  return (await ctx.cache.refresh(ctx.keys.result(key), loader, { ttl: ctx.entryTtlSeconds, tagsOf })).written;
}
