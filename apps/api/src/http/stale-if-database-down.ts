import type { Cache, CacheStatus } from "@secapi/cache";
import { isDatabaseUnavailableError } from "@secapi/db";
import type { Response } from "express";
import { REVALIDATE } from "./cache-control.js";

/**
 * How long past their TTL per-user views built from Postgres (lists, stats) are kept to answer while Postgres is
 * unavailable: an outage of this length is bridged, at the cost of keeping those small entries this much longer.
 */
export const STALE_IF_ERROR_SECONDS = 600;

/**
 * Cache reads tried before a read Postgres refused gives up: each is bounded by the cache's own timeout, so an
 * outage answer is delayed by at most a few of those, and a cache Redis slow once under load does not make it a 503.
 */
const CACHE_READ_ATTEMPTS = 3;

/** What a read answered with, and how the cache served it. */
export interface ServedRead<T> {
  value: T | undefined;
  status: CacheStatus;
}

/**
 * RFC 7234's warn-code 111: the answer is served because revalidating it failed. Deprecated by RFC 9111 but
 * still the one standard header that says so to clients and logs; `X-Cache-Status: STALE` says it too.
 */
export const STALE_WARNING = '111 - "Revalidation Failed"';

/**
 * Stale-if-error for Postgres outages. `read` answers through the cache and Postgres; when it fails because
 * Postgres is unavailable (a cache read that was bypassed or missed, then a reload that could not connect), the
 * cache is asked again (up to CACHE_READ_ATTEMPTS times while it does not answer) and its entry answers instead, as `STALE`, if `servable` accepts it: the caller
 * checks it is still current (never a result an advisory change invalidated) and its own. Any other failure,
 * or no servable entry, is thrown as it was (a 503 `database_unavailable` for an outage).
 */
export async function staleIfDatabaseDown<T>(
  cache: Pick<Cache, "get">,
  key: string,
  read: () => Promise<ServedRead<T>>,
  servable: (value: T) => boolean,
): Promise<ServedRead<T>> {
  try {
    return await read();
  } catch (error) {
    if (!isDatabaseUnavailableError(error)) throw error;
    for (let attempt = 0; attempt < CACHE_READ_ATTEMPTS; attempt++) {
      const cached = await cache.get<T>(key);
      if (cached.value !== undefined && cached.value !== null) {
        if (!servable(cached.value)) throw error;
        return { value: cached.value, status: "STALE" };
      }
      // MISS: nothing to serve. BYPASS: the cache Redis did not answer in time (a loaded machine), ask again.
      if (cached.status !== "BYPASS") break;
    }
    throw error;
  }
}

/**
 * The headers of a STALE answer: it could not be revalidated, so a client's cache must ask again before
 * reusing it, and a `Warning` says why.
 */
export function markStale(res: Response): void {
  res.set({ "Cache-Control": REVALIDATE, Warning: STALE_WARNING });
  res.removeHeader("Age");
}
