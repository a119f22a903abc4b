import type { TierLimits } from "@secapi/config";
import type { LimitWindow } from "@secapi/limiter";

/**
 * The windows below are built once per limit and frozen: they are on every request's path, and the limiter
 * validates a frozen array of frozen windows only the first time it sees it.
 */
function frozen(windows: LimitWindow[]): readonly LimitWindow[] {
  for (const window of windows) Object.freeze(window);
  return Object.freeze(windows);
}

const requestWindowsByLimit = new Map<number, readonly LimitWindow[]>();
const scanWindowsByTier = new WeakMap<TierLimits, readonly LimitWindow[]>();
const submissionWindowsByTier = new WeakMap<TierLimits, readonly LimitWindow[]>();

/** The request limit of a tier (or of anonymous callers). */
export function requestWindows(requestsPerMinute: number): readonly LimitWindow[] {
  let windows = requestWindowsByLimit.get(requestsPerMinute);
  if (!windows) {
    windows = frozen([{ name: "minute", kind: "sliding", windowSeconds: 60, limit: requestsPerMinute }]);
    requestWindowsByLimit.set(requestsPerMinute, windows);
  }
  return windows;
}

/** The scan quotas of a tier: sliding hour, UTC calendar month. */
export function scanWindows(limits: TierLimits): readonly LimitWindow[] {
  let windows = scanWindowsByTier.get(limits);
  if (!windows) {
    windows = frozen([
      { name: "scans-hour", kind: "sliding", windowSeconds: 3600, limit: limits.scans_per_hour },
      { name: "scans-month", kind: "calendar-month", limit: limits.scans_per_month },
    ]);
    scanWindowsByTier.set(limits, windows);
  }
  return windows;
}

/**
 * The request-limit check of a scan submission: the tier's request window, consumed, and its scan quotas,
 * report-only (read in the same round trip; consumed later only if the submission is not a cache hit).
 */
export function submissionRequestWindows(limits: TierLimits): readonly LimitWindow[] {
  let windows = submissionWindowsByTier.get(limits);
  if (!windows) {
    windows = frozen([
      ...requestWindows(limits.requests_per_minute).map((window) => ({ ...window })),
      ...scanWindows(limits).map((window) => ({ ...window, reportOnly: true })),
    ]);
    submissionWindowsByTier.set(limits, windows);
  }
  return windows;
}

export const SCAN_WINDOW_NAMES = new Set(["scans-hour", "scans-month"]);

/** The limiter subject of a user: all their windows share one Redis hash slot. */
export const userSubject = (userId: string) => `user:${userId}`;
