import type { CacheLoadOptions, CacheStatus } from "@secapi/cache";
import { type ResultCurrency, isCurrent } from "@secapi/core";
import type { Request, Response } from "express";
import type { ApiContext } from "../context.js";
import { REVALIDATE } from "../http/cache-control.js";
import { sendWithEtag } from "../http/conditional.js";
import { markStale, staleIfDatabaseDown } from "../http/stale-if-database-down.js";

/** A cache read: the value (none on a miss) and how it was served. */
export interface CacheRead<T> {
  value: T | null | undefined;
  status: CacheStatus;
}

/**
 * A cached entry that shows stored results, if it may be served: as read when its stamp is current for this
 * process (no I/O), else read again through Postgres by `reload`, which verifies it in SQL and stamps it anew, or
 * finds the results outdated. Postgres was asked then, so the read is a MISS whatever the cache said.
 */
export async function currentRead<T extends ResultCurrency>(
  ctx: Pick<ApiContext, "advisoryRevisions">,
  read: CacheRead<T>,
  reload: () => Promise<T | null | undefined>,
): Promise<{ value: T | undefined; status: CacheStatus }> {
  if (!read.value || isCurrent(read.value, ctx.advisoryRevisions.latest)) return { value: read.value ?? undefined, status: read.status };
  return { value: (await reload()) ?? undefined, status: "MISS" };
}

/**
 * Answers a per-user read built from stored results (the scan list, the stats): through the cache (`key`),
 * reloaded through Postgres when its stamp is behind, sent with its cache status, `no-cache` revalidation and
 * an ETag of the body `bodyOf` picks from the entry. While Postgres is away, a current entry the cache holds
 * (even past its TTL, within the `staleIfError` of `options`) answers as STALE.
 */
export async function sendCurrentRead<T extends ResultCurrency>(
  ctx: Pick<ApiContext, "advisoryRevisions" | "cache">,
  req: Request,
  res: Response,
  read: { key: string; load: () => Promise<T>; options: CacheLoadOptions<T>; bodyOf: (entry: T | undefined) => unknown },
): Promise<void> {
  const { key, load, options, bodyOf } = read;
  const { value, status } = await staleIfDatabaseDown(
    ctx.cache,
    key,
    async () =>
      currentRead(ctx, await ctx.cache.getOrLoad(key, load, options), async () => (await ctx.cache.refresh(key, load, options)).value),
    (entry: T) => isCurrent(entry, ctx.advisoryRevisions.latest),
  );
  res.setHeader("X-Cache-Status", status);
  res.setHeader("Cache-Control", REVALIDATE);
  if (status === "STALE") markStale(res);
  const body = bodyOf(value);
  sendWithEtag(req, res, body);
}
