import type { CacheStatus } from "@secapi/cache";
import { type ScanViewEntry, scanViewTtlSeconds } from "@secapi/core";
import type { RequestHandler, Response } from "express";

/**
 * The HTTP caching rules of the API, in one place (docs/API.md "HTTP caching"). Every response under /api/v1
 * depends on the caller and says so (`Vary`); what a client's cache may do with it follows the server's own
 * freshness:
 * - a finished, current scan view: kept until the server itself would stop serving it as is ({@link scanViewCaching});
 * - a scan in flight or with an outdated result, lists, stats: kept but revalidated on every use (`If-None-Match`);
 * - everything else (usage, submissions, errors, admin and cache routes): never stored.
 */

/** Never stored: live state (usage, cache stats), submissions (each one is an action), errors, admin answers. */
export const NO_STORE = "no-store";
/** May be kept by the caller's own cache, but revalidated with `If-None-Match` before every use (a 304 is cheap). */
export const REVALIDATE = "private, no-cache";
/** The request headers every /api/v1 body depends on: who is asking. */
export const VARY_CALLER = "Authorization, X-API-Key";

/** `private, max-age=<s>`: kept by the caller's own cache only, for `seconds` from when it was rendered. */
export function freshFor(seconds: number): string {
  return `private, max-age=${seconds}`;
}

/** What the freshness of a scan view is bounded by, besides the entry itself. */
export interface ScanViewFreshness {
  /** How long a finished view is cached (`cacheEntryTtlSeconds`): its entry stops being served then. */
  finishedTtlSeconds: number;
  /** The caller's tier's result TTL: no client keeps a result longer than that without asking again. */
  tierTtlSeconds: number;
  /** How the view was served: a HIT or STALE came from the cache and carries `Age`. */
  cacheStatus: CacheStatus;
  now?: number;
}

/**
 * `Cache-Control` (and `Age`) of a scan view. A finished view whose result is current is fresh until the first of:
 * its cache entry expires, the caller's tier TTL runs out (counted from now), the result's `valid_until`. `max-age`
 * counts from when the view was rendered and `Age` says how long ago that was, so a client's cache (RFC 9111:
 * fresh while `Age` < `max-age`) keeps it exactly until the server's freshness ends; a view just rendered has no
 * `Age` and `max-age` is that remainder itself. A scan in flight or with an outdated result is revalidated on
 * every use.
 */
export function scanViewCaching(entry: ScanViewEntry, freshness: ScanViewFreshness): Record<string, string> {
  const revalidate = { "Cache-Control": REVALIDATE };
  const finished = entry.status === "completed" || entry.status === "failed";
  const renderedAt = Date.parse(entry.renderedAt);
  // Entries cached before `renderedAt` existed cannot say how old they are.
  if (!finished || entry.body.outdated || Number.isNaN(renderedAt)) return revalidate;
  const now = freshness.now ?? Date.now();
  const ends = [renderedAt + scanViewTtlSeconds(entry, freshness.finishedTtlSeconds) * 1000, now + freshness.tierTtlSeconds * 1000];
  if (entry.validUntil !== undefined) ends.push(Date.parse(entry.validUntil));
  const remaining = Math.floor((Math.min(...ends) - now) / 1000);
  if (!(remaining > 0)) return revalidate;
  const fromCache = freshness.cacheStatus === "HIT" || freshness.cacheStatus === "STALE";
  if (!fromCache) return { "Cache-Control": freshFor(remaining) };
  const age = Math.max(0, Math.floor((now - renderedAt) / 1000));
  return { "Cache-Control": freshFor(age + remaining), Age: String(age) };
}

/** Sets a response's caching policy (one of the constants above, or `freshFor`). */
export function setCachePolicy(res: Response, policy: string): void {
  res.set("Cache-Control", policy);
}

/**
 * First on /api/v1: every answer varies by caller and is not stored, unless its route says otherwise. Rate-limit
 * and authentication refusals, which answer before any route, keep these.
 */
export const callerDependent: RequestHandler = (_req, res, next) => {
  res.setHeader("Vary", VARY_CALLER);
  res.setHeader("Cache-Control", NO_STORE);
  next();
};

/**
 * Sets string headers with node's `setHeader`: express's `res.set(object)` checks every name for
 * `Content-Type` and copies every value, on a path every request takes.
 */
export function setHeaders(res: Response, headers: Record<string, string>): void {
  for (const name in headers) res.setHeader(name, headers[name] as string);
}

/** An error is never stored, whatever the route had set before it failed. */
export function uncacheable(res: Response): void {
  res.set("Cache-Control", NO_STORE);
  res.removeHeader("Age");
  res.removeHeader("ETag");
}
