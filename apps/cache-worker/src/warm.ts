import { resultEntryLoad, scanViewEntryLoad } from "@secapi/core";
import type { CacheWorkerContext } from "./context.js";

/**
 * Reloads one key from Postgres into the cache; false if it is not a warmable key, has no data, or was
 * invalidated while it loaded (a mutation won the race: the next read loads the new state).
 */
export async function warmKey(ctx: CacheWorkerContext, key: string): Promise<boolean> {
  const parsed = ctx.keys.parse(key);
  if (parsed.kind === "scan") {
    const view = scanViewEntryLoad(ctx.db, parsed.scanId, ctx.entryTtlSeconds);
    return (await ctx.cache.refresh(key, view.loader, view.options)).written;
  }
  if (parsed.kind === "result") {
    const result = resultEntryLoad(ctx.db, parsed.key, ctx.entryTtlSeconds);
    return (await ctx.cache.refresh(key, result.loader, result.options)).written;
  }
  return false;
}

/**
 * Refills the hottest keys that are missing or about to expire (at most `nearExpirySeconds` of
 * their TTL left), hottest first; runs on start, on a schedule, and never throws for one bad key.
 */
export async function warmHotKeys(
  ctx: CacheWorkerContext,
  { limit = 200, nearExpirySeconds = 60 } = {},
): Promise<{ checked: number; warmed: number }> {
  const hot = await ctx.hotKeys.top(limit);
  let warmed = 0;
  for (const { key } of hot) {
    const ttl = await ctx.cache.ttl(key);
    if (ttl !== -2 && ttl > nearExpirySeconds) continue;
    try {
      if (await warmKey(ctx, key)) warmed++;
    } catch (error) {
      ctx.logger.warn({ err: error, key }, "could not warm key");
    }
  }
  return { checked: hot.length, warmed };
}
