import { calendarMonth } from "./calendar-month.js";
import type { WindowState } from "./limit-window.js";
import { bucketWidthMs } from "./sliding-window.js";

/** How far a calendar month's estimated reset may stray and still name that month's end. */
const MONTH_SNAP_MS = 12 * 3600_000;

/**
 * When a window frees, as an instant that every process reading the same counters agrees on: `resetSeconds` is
 * rounded up to whole seconds from the decision's clock, but a window frees on its own grid (a bucket boundary of a
 * sliding window, the first instant of a UTC month), so the estimate is snapped back onto that grid. Exact while
 * `nowMs` is within half a bucket of the decision (30 s for an hour window).
 *
 * @example
 * const resetAtMs = windowResetAtMs(decision.windows[1]!, Date.now());
 */
export function windowResetAtMs(state: WindowState, nowMs: number): number {
  // The rounding up added less than a second: the middle of that second is the best estimate.
  const estimate = nowMs + state.resetSeconds * 1000 - 500;
  if (state.kind === "calendar-month") return calendarMonth(estimate - MONTH_SNAP_MS).endMs;
  const grid = bucketWidthMs(state.windowSeconds ?? 1);
  return Math.round(estimate / grid) * grid;
}
