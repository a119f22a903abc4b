import type { LimitWindow } from "@secapi/limiter";

/** Limits no bench reaches: every check takes the full write path. */
const HIGH = 1_000_000_000;

/** The windows of a scan submission (minute and hour sliding, calendar month), as both limiter benches check them. */
export const submissionWindows: LimitWindow[] = [
  { name: "minute", kind: "sliding", windowSeconds: 60, limit: HIGH },
  { name: "scans-hour", kind: "sliding", windowSeconds: 3600, limit: HIGH },
  { name: "scans-month", kind: "calendar-month", limit: HIGH },
];

/** What rate-limiter-flexible's baseline is configured with: a limit as unreachable. */
export const BASELINE_POINTS = HIGH;
