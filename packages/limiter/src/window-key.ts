import { calendarMonth } from "./calendar-month.js";
import type { LimitWindow } from "./limit-window.js";

/**
 * The Redis key that holds every window of a subject: `<prefix>:{<subject>}`, a HASH with one field per window
 * (`windowField`). One key makes a check one read and one write; the `{subject}` hash tag keeps the key's
 * Cluster slot the subject's alone.
 */
export function subjectKey(prefix: string, subject: string): string {
  return `${prefix}:{${subject}}`;
}

/**
 * A window's field in its subject's hash at `nowMs`: `<name>:<windowSeconds>s` (sliding: a record of buckets,
 * see sliding-window-state.ts) or `<name>:<YYYY-MM>` (calendar month: a counter).
 */
export function windowField(window: LimitWindow, nowMs: number): string {
  const suffix = window.kind === "sliding" ? `${window.windowSeconds}s` : calendarMonth(nowMs).label;
  return `${window.name}:${suffix}`;
}
