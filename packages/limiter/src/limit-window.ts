/**
 * One limit a request is counted against.
 *
 * @example
 * const minute: LimitWindow = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 20 };
 * const month: LimitWindow = { name: "scans-month", kind: "calendar-month", limit: 100 };
 */
export interface LimitWindow {
  /** Policy name used in headers and keys, e.g. "minute", "scans-hour", "scans-month". [a-z0-9-] */
  name: string;
  kind: "sliding" | "calendar-month";
  /** Window length for sliding windows, seconds (60, 3600). Ignored for calendar-month. */
  windowSeconds?: number;
  limit: number;
  /**
   * Reported in the decision, never consumed and never the reason for a denial: e.g. the scan quota on a
   * request that may turn out to be a cache hit, read in the same round trip as the request limit it consumes.
   */
  reportOnly?: boolean;
}

/**
 * One request to meter: every window is checked and consumed at once, all or nothing.
 *
 * @example
 * await limiter.check({ subject: `user:${userId}`, windows: [minute, scansHour, scansMonth] });
 */
export interface LimitCheck {
  /** Who is limited: "user:<uuid>", "ip:203.0.113.0/24"... All windows of one subject share a hash slot. */
  subject: string;
  windows: readonly LimitWindow[];
  /** Units consumed from every window (default 1; never negative: `refund` gives units back). */
  cost?: number;
  /**
   * Read the state without consuming (e.g. to report scan quota on a cache hit). The only thing a peek may write
   * is a missing month counter restored from `monthUsage`: that restores usage, it consumes nothing.
   */
  peek?: boolean;
}

/** Where one window stands after a decision (after consuming, if the request was allowed). */
export interface WindowState {
  name: string;
  kind: "sliding" | "calendar-month";
  /** Absent for calendar-month. */
  windowSeconds?: number;
  limit: number;
  used: number;
  /** Never negative. */
  remaining: number;
  /**
   * Seconds until this window next frees capacity (sliding) or resets (month): the IETF `t`. Integer ≥ 0.
   * For a sliding window that cannot take `cost` more units, it is when it can again.
   */
  resetSeconds: number;
}
