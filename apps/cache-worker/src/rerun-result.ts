import { type ResultEntry, openInput, taggedLoader } from "@secapi/core";
import { type InputKey, findAdvisoriesForPackages, findScanInput, upsertScanResult } from "@secapi/db";
import { type Advisory, type PackageSet, matchPackages } from "@secapi/scanners";
import type { CacheWorkerContext } from "./context.js";

/**
 * Re-runs a dependency result against the current advisories, stores it (content-addressed: it replaces
 * the old one) and puts it in the cache, so the next read of a hot result is a HIT, not a rescan.
 * Matching is milliseconds for a thousand packages, so it runs here rather than through a scan job.
 */
export async function rerunDependencyResult(ctx: CacheWorkerContext, key: InputKey): Promise<boolean> {
  const sealed = await findScanInput(ctx.db, key);
  if (!sealed) return false;
  const set = openInput(ctx.scanInputKey, key, sealed) as PackageSet;
  // Cached unless another advisory update invalidated it while this ran (its own re-run follows).
  const { loader, tagsOf } = taggedLoader(async () => {
    const advisories = (await findAdvisoriesForPackages(ctx.db, set.packages)) as Advisory[];
    const output = matchPackages(set, advisories);
    const resultId = await upsertScanResult(ctx.db, key, output.result, output.tags);
    const entry: ResultEntry = { resultId, result: output.result, computedAt: new Date().toISOString() };
    return { entry, tags: output.tags };
  });
  return (await ctx.cache.refresh(ctx.keys.result(key), loader, { ttl: ctx.entryTtlSeconds, tagsOf })).written;
}
