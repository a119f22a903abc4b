import type { TierLimits } from "@secapi/config";
import type { LimitWindow } from "@secapi/limiter";

/** The request limit of a tier (or of anonymous callers). */
export function requestWindows(requestsPerMinute: number): LimitWindow[] {
  return [{ name: "minute", kind: "sliding", windowSeconds: 60, limit: requestsPerMinute }];
}

/** The scan quotas of a tier: sliding hour, UTC calendar month. */
export function scanWindows(limits: TierLimits): LimitWindow[] {
  return [
    { name: "scans-hour", kind: "sliding", windowSeconds: 3600, limit: limits.scans_per_hour },
    { name: "scans-month", kind: "calendar-month", limit: limits.scans_per_month },
  ];
}

export const SCAN_WINDOW_NAMES = new Set(["scans-hour", "scans-month"]);

/** The limiter subject of a user: all their windows share one Redis hash slot. */
export const userSubject = (userId: string) => `user:${userId}`;
