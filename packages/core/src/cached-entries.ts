import { hash } from "node:crypto";
import type { TierTable } from "@secapi/config";
import { type Db, type InputKey, type ScanStatus, findScanResult, findScanWithResult } from "@secapi/db";
import { scanTag } from "./cache-keys.js";
import { type ResultCurrency, currencyOf } from "./result-currency.js";
import { type ScanView, resultView, scanWithResultView } from "./scan-view.js";

/** A strong ETag over the exact bytes a response will carry. */
export function etagOf(body: unknown): string {
  return etagOfJson(JSON.stringify(body));
}

/** `etagOf` a body already serialized. */
export function etagOfJson(json: string): string {
  return `"${hash("sha256", json, "base64url").slice(0, 27)}"`;
}

/**
 * A scan as cached under `CacheKeys.scan(id)`: the rendered body with its ETag (so `If-None-Match` is answered
 * from the cache), plus the owner, checked on every read, the run for `?wait`, and the currency of the result
 * it shows.
 */
export interface ScanViewEntry extends ResultCurrency {
  userId: string;
  status: ScanStatus;
  jobId: string | null;
  body: ScanView;
  etag: string;
  /** ISO 8601: when the view was rendered from Postgres; the API derives `Age` and `max-age` from it. */
  renderedAt: string;
}

/**
 * Renders a scan (with its result) from Postgres into its cache entry and the entry's tags: the scan and
 * the result's own tags (`pkg:…`), so an advisory change also drops the views that show it. Not the user
 * tag: that one is invalidated by every scan the user submits, and a view does not depend on other scans.
 */
export async function loadScanViewEntry(db: Db, scanId: string): Promise<{ entry: ScanViewEntry; tags: string[] } | undefined> {
  const row = await findScanWithResult(db, scanId);
  if (!row) return undefined;
  const body = scanWithResultView(row);
  const currency = currencyOf(row.result_tags ?? [], row.checked_revision, row.result_valid_until);
  return {
    entry: {
      userId: row.user_id,
      status: row.status,
      jobId: row.job_id,
      body,
      etag: etagOf(body),
      renderedAt: new Date().toISOString(),
      ...currency,
    },
    tags: [scanTag(row.id), ...(row.result_tags ?? [])],
  };
}

/**
 * How long shared entries (results, views) live in the cache: the longest tier TTL. Each reader then
 * accepts a result only if it was computed within its own tier's TTL (`isFreshFor`).
 */
export function cacheEntryTtlSeconds(tiers: TierTable): number {
  return Math.max(...Object.values(tiers).map((t) => t.result_ttl_seconds));
}

/**
 * A finished scan's view changes only when it is deleted or its result stops being current (both invalidate it);
 * an in-flight one changes soon. An outdated one is not cached (0): it changes when its input runs again, which
 * nothing announces to the view, and reading it from Postgres is one row.
 */
export function scanViewTtlSeconds(entry: ScanViewEntry, finishedTtlSeconds: number): number {
  if (entry.body.outdated) return 0;
  return entry.status === "completed" || entry.status === "failed" ? finishedTtlSeconds : 2;
}

/**
 * A result as cached under `CacheKeys.result(key)`: `computedAt` lets each tier refuse results older than its TTL, the
 * currency lets every reader refuse one whose advisories changed.
 */
export interface ResultEntry extends ResultCurrency {
  resultId: string;
  result: unknown;
  computedAt: string;
}

/**
 * A stored result as its cache entry and tags (the result's `pkg:…` tags; privacy is in the key itself), if it
 * is current: a result whose advisories changed is no answer, from Postgres as from any cache tier.
 */
export async function loadResultEntry(db: Db, key: InputKey): Promise<{ entry: ResultEntry; tags: string[] } | undefined> {
  const row = await findScanResult(db, key);
  if (!row || !row.current) return undefined;
  const entry: ResultEntry = {
    resultId: row.id,
    // In the order the scan produced it (jsonb's is not): once here, not on every answer it serves.
    result: resultView(row.result),
    computedAt: row.updated_at.toISOString(),
    ...currencyOf(row.tags, row.checked_revision, row.valid_until),
  };
  return { entry, tags: row.tags };
}

/** Whether a cached result is young enough for a caller whose tier allows results `ttlSeconds` old. */
export function isFreshFor(entry: ResultEntry, ttlSeconds: number, now = Date.now()): boolean {
  return now - Date.parse(entry.computedAt) <= ttlSeconds * 1000;
}

/**
 * A cache loader for an entry whose tags come with it from Postgres (`{entry, tags}`, as `loadResultEntry`
 * and `loadScanViewEntry` return), and the `tagsOf` that hands those tags to the cache when it writes the
 * entry. Not found loads as null.
 *
 * @example
 * const { loader, tagsOf } = taggedLoader(() => loadResultEntry(db, key));
 * await cache.getOrLoad(resultKey, loader, { ttl, tagsOf, ttlOf: (entry) => (entry ? ttl : 0) });
 */
export function taggedLoader<E>(load: () => Promise<{ entry: E; tags: string[] } | undefined>): {
  loader: () => Promise<E | null>;
  tagsOf: () => string[];
} {
  let tags: string[] = [];
  return {
    loader: async () => {
      const loaded = await load();
      tags = loaded?.tags ?? [];
      return loaded?.entry ?? null;
    },
    tagsOf: () => tags,
  };
}

/**
 * How a stored result is read into the cache (`getOrLoad` / `refresh` options): with its row's tags, for
 * `ttlSeconds`; "not found" is not cached (the scan about to run will be).
 */
export function resultEntryLoad(db: Db, key: InputKey, ttlSeconds: number) {
  const { loader, tagsOf } = taggedLoader(() => loadResultEntry(db, key));
  return { loader, options: { ttl: ttlSeconds, tagsOf, ttlOf: (entry: ResultEntry | null) => (entry ? ttlSeconds : 0) } };
}

/**
 * How a scan view is read into the cache: with the scan's and its result's tags, for `finishedTtlSeconds`
 * once the scan has finished (briefly while it runs); "not found" is not cached.
 */
export function scanViewEntryLoad(db: Db, scanId: string, finishedTtlSeconds: number) {
  const { loader, tagsOf } = taggedLoader(() => loadScanViewEntry(db, scanId));
  const ttlOf = (entry: ScanViewEntry | null) => (entry ? scanViewTtlSeconds(entry, finishedTtlSeconds) : 0);
  return { loader, options: { ttl: finishedTtlSeconds, tagsOf, ttlOf } };
}
