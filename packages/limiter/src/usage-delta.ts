import type { CalendarMonth } from "./calendar-month.js";
import { bucketIndex } from "./sliding-window.js";
import type { WindowPlan } from "./window-plan.js";

/**
 * Signed usage to add to one window's Redis key: a refund, or what the fallback counted while Redis was
 * unusable. Sliding windows keep it per bucket so it lands where it belongs in time.
 */
export type UsageDelta =
  | { kind: "sliding"; windowMs: number; bucketMs: number; buckets: Map<number, number> }
  | { kind: "calendar-month"; month: CalendarMonth; units: number };

/** An empty delta shaped like `plan`'s window. */
export function emptyDelta(plan: WindowPlan): UsageDelta {
  return plan.kind === "sliding"
    ? { kind: "sliding", windowMs: plan.windowMs, bucketMs: plan.bucketMs, buckets: new Map() }
    : { kind: "calendar-month", month: plan.month, units: 0 };
}

/** `units` (signed) at `nowMs` on `plan`'s window. */
export function deltaAt(plan: WindowPlan, units: number, nowMs: number): UsageDelta {
  const delta = emptyDelta(plan);
  if (delta.kind === "sliding") delta.buckets.set(bucketIndex(nowMs, delta.bucketMs), units);
  else delta.units = units;
  return delta;
}

/** Adds `from` into `into` (same window). */
export function addDelta(into: UsageDelta, from: UsageDelta): void {
  if (into.kind === "sliding" && from.kind === "sliding") {
    for (const [bucket, units] of from.buckets) into.buckets.set(bucket, (into.buckets.get(bucket) ?? 0) + units);
  } else if (into.kind === "calendar-month" && from.kind === "calendar-month") {
    into.units += from.units;
  }
}
