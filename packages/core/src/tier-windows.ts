import type { TierLimits } from "@secapi/config";
import { type Db, scanUsageSince } from "@secapi/db";
import type { LimitWindow } from "@secapi/limiter";

/**
 * The windows below are built once per limit and frozen: they are on every request's path, and the limiter
 * validates a frozen array of frozen windows only the first time it sees it.
 */
function builtOnce<K, S extends { get(key: K): readonly LimitWindow[] | undefined; set(key: K, windows: readonly LimitWindow[]): unknown }>(
  built: S,
  build: (key: K) => LimitWindow[],
): (key: K) => readonly LimitWindow[] {
  return (key) => {
    let windows = built.get(key);
    if (!windows) {
      const fresh = build(key);
      for (const window of fresh) Object.freeze(window);
      windows = Object.freeze(fresh);
      built.set(key, windows);
    }
    return windows;
  };
}

/** The request limit of a tier (or of anonymous callers). */
export const requestWindows = builtOnce(new Map<number, readonly LimitWindow[]>(), (requestsPerMinute: number) => [
  { name: "minute", kind: "sliding", windowSeconds: 60, limit: requestsPerMinute },
]);

/** The scan quotas of a tier: sliding hour, UTC calendar month. */
export const scanWindows = builtOnce(new WeakMap<TierLimits, readonly LimitWindow[]>(), (limits: TierLimits) => [
  { name: "scans-hour", kind: "sliding", windowSeconds: 3600, limit: limits.scans_per_hour },
  { name: "scans-month", kind: "calendar-month", limit: limits.scans_per_month },
]);

/**
 * The request-limit check of a scan submission: the tier's request window, consumed, and its scan quotas,
 * report-only (read in the same round trip; consumed later only if the submission is not a cache hit).
 */
export const submissionRequestWindows = builtOnce(new WeakMap<TierLimits, readonly LimitWindow[]>(), (limits: TierLimits) => [
  ...requestWindows(limits.requests_per_minute).map((window) => ({ ...window })),
  ...scanWindows(limits).map((window) => ({ ...window, reportOnly: true })),
]);

export const SCAN_WINDOW_NAMES = new Set(["scans-hour", "scans-month"]);

/** The limiter subject of a user: all their windows share one Redis hash slot. */
export const userSubject = (userId: string) => `user:${userId}`;

/**
 * The limiter's source of durable monthly usage: the scan usage recorded in Postgres for a `user:<id>`
 * subject since the month began (used when Redis lost its counter).
 */
export function monthUsageFromPostgres(db: Db) {
  return (subject: string, _window: unknown, monthStart: Date) => scanUsageSince(db, subject.replace(/^user:/, ""), monthStart);
}
