import { calendarMonth } from "./calendar-month.js";
import type { LimitWindow } from "./limit-window.js";

/**
 * The Redis key of a window at `nowMs`: `<prefix>:{<subject>}:<name>:<windowSeconds>s` (sliding, a STRING record of
 * buckets: sliding-record.ts) or `<prefix>:{<subject>}:<name>:<YYYY-MM>` (calendar month, a STRING counter). The `{subject}`
 * hash tag puts every key of one subject in one Cluster slot, so one script can touch them all.
 */
export function windowKey(prefix: string, subject: string, window: LimitWindow, nowMs: number): string {
  const suffix = window.kind === "sliding" ? `${window.windowSeconds}s` : calendarMonth(nowMs).label;
  return `${prefix}:{${subject}}:${window.name}:${suffix}`;
}
