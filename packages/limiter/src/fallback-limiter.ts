import { bucketIndex, countedUsage, msUntilFreed, oldestCountedBucket, unitsToFree } from "./sliding-window.js";
import { type UsageDelta, addDelta, emptyDelta } from "./usage-delta.js";
import { type WindowEvaluation, isCounted } from "./window-evaluation.js";
import type { WindowPlan } from "./window-plan.js";

/** What one subject used in the fallback, by window field: to be merged into Redis when it is back. */
export interface PendingUsage {
  subject: string;
  deltas: Map<string, UsageDelta>;
}

/**
 * The limiter while Redis is unusable (failMode "open"): the same window semantics as check.lua, but over
 * this process's own usage only, so N processes admit up to N × limit between them. Everything it counts
 * is kept, per window field and bucket, until `drain()` hands it over for merging. Month windows start from 0
 * here: the durable usage is not fetched on the outage path, which must cost ~0 ms.
 */
export class FallbackLimiter {
  private readonly subjects = new Map<string, Map<string, UsageDelta>>();

  constructor(private readonly maxSubjects: number) {}

  /** Subjects with usage not yet merged into Redis. */
  get pendingSubjects(): number {
    return this.subjects.size;
  }

  /** Evaluates and, if allowed and not `peek`, consumes `cost` from every window that is not report-only. */
  check(subject: string, plans: WindowPlan[], cost: number, peek: boolean, nowMs: number): WindowEvaluation {
    const known = this.subjects.get(subject);
    const deltas = plans.map((plan) => known?.get(plan.field) ?? emptyDelta(plan));
    const used = deltas.map((delta) => usedIn(delta, nowMs));
    const allowed = plans.every((plan, i) => !isCounted(plan) || (used[i] ?? 0) + cost <= plan.limit);
    if (allowed && !peek) {
      const touched = this.touch(subject);
      plans.forEach((plan, i) => {
        if (!isCounted(plan)) return;
        const delta = deltas[i] ?? emptyDelta(plan);
        if (delta.kind === "sliding") {
          const bucket = bucketIndex(nowMs, delta.bucketMs);
          delta.buckets.set(bucket, (delta.buckets.get(bucket) ?? 0) + cost);
          prune(delta, nowMs);
        } else {
          delta.units += cost;
        }
        touched.set(plan.field, delta);
        used[i] = (used[i] ?? 0) + cost;
      });
    }
    const resetMs = plans.map((plan, i) => {
      const delta = deltas[i];
      if (plan.kind === "calendar-month") return plan.month.endMs - nowMs;
      if (delta?.kind !== "sliding") return 0;
      return msUntilFreed(delta.buckets, unitsToFree(used[i] ?? 0, plan.limit, cost), nowMs, delta.windowMs, delta.bucketMs);
    });
    return { allowed, used, resetMs };
  }

  /** Records a signed adjustment (a refund is negative), to apply here now and to Redis at the next merge. */
  adjust(subject: string, plans: WindowPlan[], units: number, nowMs: number): void {
    const deltas = this.touch(subject);
    for (const plan of plans) {
      const delta = deltas.get(plan.field) ?? emptyDelta(plan);
      deltas.set(plan.field, delta);
      if (delta.kind === "calendar-month") {
        delta.units += units;
        continue;
      }
      const now = bucketIndex(nowMs, delta.bucketMs);
      const oldest = oldestCountedBucket(nowMs, delta.windowMs, delta.bucketMs);
      let left = -units;
      if (left > 0) {
        // A refund takes back this process's newest counted units first; what it cannot find here is owed by Redis.
        const newestFirst = [...delta.buckets].filter(([b, u]) => b <= now && b >= oldest && u > 0).sort((a, b) => b[0] - a[0]);
        for (const [bucket, available] of newestFirst) {
          const take = Math.min(available, left);
          delta.buckets.set(bucket, available - take);
          left -= take;
          if (left === 0) break;
        }
      }
      const rest = units < 0 ? -left : units;
      if (rest !== 0) delta.buckets.set(now, (delta.buckets.get(now) ?? 0) + rest);
      prune(delta, nowMs);
    }
  }

  /** Hands over (and forgets) everything recorded so far. */
  drain(): PendingUsage[] {
    const pending = [...this.subjects].map(([subject, deltas]) => ({ subject, deltas }));
    this.subjects.clear();
    return pending;
  }

  /** Takes back usage a merge could not deliver, adding to whatever was recorded since. */
  restore(pending: PendingUsage): void {
    const deltas = this.touch(pending.subject);
    for (const [field, delta] of pending.deltas) {
      const current = deltas.get(field);
      if (current) addDelta(current, delta);
      else deltas.set(field, delta);
    }
  }

  clear(): void {
    this.subjects.clear();
  }

  /** The subject's usage, moved to the most recent end; the oldest subjects beyond the bound are dropped. */
  private touch(subject: string): Map<string, UsageDelta> {
    const deltas = this.subjects.get(subject) ?? new Map<string, UsageDelta>();
    this.subjects.delete(subject);
    this.subjects.set(subject, deltas);
    for (const oldest of this.subjects.keys()) {
      if (this.subjects.size <= this.maxSubjects) break;
      this.subjects.delete(oldest);
    }
    return deltas;
  }
}

function usedIn(delta: UsageDelta, nowMs: number): number {
  if (delta.kind === "calendar-month") return Math.max(0, delta.units);
  return countedUsage(delta.buckets, nowMs, delta.windowMs, delta.bucketMs);
}

/** Drops buckets that no longer count: they would be skipped by the merge anyway. */
function prune(delta: UsageDelta & { kind: "sliding" }, nowMs: number): void {
  const oldest = oldestCountedBucket(nowMs, delta.windowMs, delta.bucketMs);
  for (const [bucket, units] of delta.buckets) if (bucket < oldest || units === 0) delta.buckets.delete(bucket);
}
