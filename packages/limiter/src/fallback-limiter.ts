import { type FallbackShare, fitsShare, reportedUsage } from "./fallback-share.js";
import { bucketExpiresAtMs, bucketIndex, countedUsage, msUntilFreed, oldestCountedBucket, unitsToFree } from "./sliding-window.js";
import { type UsageDelta, addDelta, emptyDelta } from "./usage-delta.js";
import { type WindowEvaluation, isCounted } from "./window-evaluation.js";
import type { WindowPlan } from "./window-plan.js";

/** What one subject used in the fallback, by window field: to be merged into Redis when it is back. */
export interface PendingUsage {
  subject: string;
  deltas: Map<string, UsageDelta>;
}

/** A window's usage as Redis last reported it to this process. */
interface SeenUsage {
  /**
   * Which window it was seen on, compared with a check's window of the same name: its kind, and its length
   * (sliding) or the start of its month. Numbers, not the field: a field is a new string at every check, and
   * keeping one per subject until the next check would carry garbage into the old generation.
   */
  kind: WindowPlan["kind"];
  span: number;
  used: number;
  /** When it was seen, and the sequence number of the check that saw it (see `observe`). */
  atMs: number;
  seq: number;
}

/** Everything the fallback knows of one subject. */
interface SubjectUsage {
  /**
   * By window name: the caller's name strings are the same objects check after check, so their hashes are
   * computed once (a field is a new string at every check).
   */
  seen: Map<string, SeenUsage>;
  /** Counted here (admissions, refunds), not yet sent to Redis. */
  pending: Map<string, UsageDelta>;
  /** Being merged into Redis right now. */
  sending: Map<string, UsageDelta> | undefined;
  /** Merged into Redis, but not yet part of a usage seen from Redis: still counted here. */
  delivered: Map<string, UsageDelta>;
  /** The sequence number at which the last merge of `delivered` landed. */
  deliveredSeq: number;
  /** Used since the eviction hand last passed it (second chance): cheaper than moving a Map entry at every check. */
  recent: boolean;
}

/**
 * The limiter while Redis is unusable (failMode "open"): the same window semantics as check.lua, applied to
 * what this process knows: the usage Redis last reported to it for the subject (`observe`), plus what it
 * admitted itself since. It admits only its share of what is left (`fallback-share.ts`), so N processes
 * together stay within the limit when each had seen the subject's latest usage. What it counts is kept per
 * window field and bucket, handed over for merging (`takePending`), and still counted until Redis reports a
 * usage that includes it, so a Redis that keeps timing out now and then never restarts the count from zero.
 * Month windows start from the month usage last seen: the durable usage is not fetched on the outage path,
 * which must cost ~0 ms.
 */
export class FallbackLimiter {
  private readonly subjects = new Map<string, SubjectUsage>();
  private readonly unsent = new Set<string>();

  constructor(private readonly maxSubjects: number) {}

  /** Subjects with usage not yet sent to Redis. */
  get pendingSubjects(): number {
    return this.unsent.size;
  }

  /**
   * Remembers the usage Redis reported for every window of a check (after the decision). `seq` orders it
   * against merges: a check numbered after a merge landed sees that merge's usage.
   */
  observe(subject: string, plans: WindowPlan[], evaluation: WindowEvaluation, nowMs: number, seq: number): void {
    const usage = this.use(subject);
    for (let i = 0; i < plans.length; i++) {
      const plan = plans[i] as WindowPlan;
      const used = evaluation.used[i] ?? 0;
      const seen = usage.seen.get(plan.window.name);
      if (seen === undefined) {
        usage.seen.set(plan.window.name, { kind: plan.kind, span: spanOf(plan), used, atMs: nowMs, seq });
      } else if (seq >= seen.seq) {
        seen.kind = plan.kind;
        seen.span = spanOf(plan);
        seen.used = used;
        seen.atMs = nowMs;
        seen.seq = seq;
      }
    }
    if (usage.delivered.size > 0 && seq > usage.deliveredSeq) for (const plan of plans) usage.delivered.delete(plan.field);
  }

  /**
   * Evaluates and, if allowed and not `peek`, consumes `cost` from every window that is not report-only,
   * admitting only this process's share when `processes` share the limit.
   */
  check(subject: string, plans: WindowPlan[], cost: number, peek: boolean, nowMs: number, processes: number): WindowEvaluation {
    let usage = this.subjects.get(subject);
    const shares = plans.map((plan): FallbackShare => ({ limit: plan.limit, seen: seenOf(usage, plan, nowMs)?.used ?? 0, processes }));
    const used = plans.map((plan) => usedIn(ownUsage(usage, plan), nowMs));
    const allowed = plans.every((plan, i) => !isCounted(plan) || fitsShare(shares[i] as FallbackShare, used[i] ?? 0, cost));
    if (allowed && !peek) {
      usage = this.record(subject);
      const pending = usage.pending;
      plans.forEach((plan, i) => {
        if (!isCounted(plan)) return;
        const delta = pending.get(plan.field) ?? emptyDelta(plan);
        pending.set(plan.field, delta);
        if (delta.kind === "sliding") {
          const bucket = bucketIndex(nowMs, delta.bucketMs);
          delta.buckets.set(bucket, (delta.buckets.get(bucket) ?? 0) + cost);
          prune(delta, nowMs);
        } else {
          delta.units += cost;
        }
        used[i] = (used[i] ?? 0) + cost;
      });
    }
    const resetMs = plans.map((plan, i) => {
      if (plan.kind === "calendar-month") return plan.month.endMs - nowMs;
      const own = ownUsage(usage, plan);
      const share = shares[i] as FallbackShare;
      if (own.kind !== "sliding") return 0;
      const scaledUsed = share.processes * (used[i] ?? 0) + share.seen;
      const buckets = scaledBuckets(own, share, seenOf(usage, plan, nowMs));
      return msUntilFreed(buckets, unitsToFree(scaledUsed, share.limit, share.processes * cost), nowMs, own.windowMs, own.bucketMs);
    });
    return { allowed, used: used.map((units, i) => reportedUsage(shares[i] as FallbackShare, units)), resetMs };
  }

  /** Records a signed adjustment (a refund is negative), to apply here now and to Redis at the next merge. */
  adjust(subject: string, plans: WindowPlan[], units: number, nowMs: number): void {
    const deltas = this.record(subject).pending;
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

  /** Hands over the usage not yet sent to Redis. It keeps counting here until `delivered` or `undelivered`. */
  takePending(): PendingUsage[] {
    const taken: PendingUsage[] = [];
    for (const subject of this.unsent) {
      const usage = this.subjects.get(subject);
      if (!usage || usage.sending) continue;
      usage.sending = usage.pending;
      usage.pending = new Map();
      this.unsent.delete(subject);
      taken.push({ subject, deltas: usage.sending });
    }
    return taken;
  }

  /** The merge of `subject`'s usage landed at `seq`: it counts here until Redis reports a usage seen after that. */
  delivered(subject: string, seq: number): void {
    const usage = this.subjects.get(subject);
    if (!usage?.sending) return;
    addAll(usage.delivered, usage.sending);
    usage.sending = undefined;
    usage.deliveredSeq = seq;
  }

  /** The merge of `subject`'s usage failed: it is pending again, with whatever was counted meanwhile. */
  undelivered(subject: string): void {
    const usage = this.subjects.get(subject);
    if (!usage?.sending) return;
    addAll(usage.pending, usage.sending);
    usage.sending = undefined;
    this.unsent.add(subject);
  }

  clear(): void {
    this.subjects.clear();
    this.unsent.clear();
  }

  /** The subject's state, to record usage in (it will need merging). */
  private record(subject: string): SubjectUsage {
    this.unsent.add(subject);
    return this.use(subject);
  }

  /** The subject's state, created if new; beyond the bound, a subject not used since the hand last passed is dropped. */
  private use(subject: string): SubjectUsage {
    const known = this.subjects.get(subject);
    if (known) {
      known.recent = true;
      return known;
    }
    if (this.subjects.size >= this.maxSubjects) this.evictOne();
    const usage: SubjectUsage = {
      seen: new Map(),
      pending: new Map(),
      sending: undefined,
      delivered: new Map(),
      deliveredSeq: 0,
      recent: false,
    };
    this.subjects.set(subject, usage);
    return usage;
  }

  /** Second chance: from the oldest, a recently used subject goes to the back (once), the first other one goes. */
  private evictOne(): void {
    for (const [subject, usage] of this.subjects) {
      this.subjects.delete(subject);
      if (usage.recent) {
        usage.recent = false;
        this.subjects.set(subject, usage);
        continue;
      }
      this.unsent.delete(subject);
      return;
    }
  }
}

/** The usage of a window seen from Redis, while it still counts: all of it was used by then, so until that bucket leaves the window. */
function seenOf(usage: SubjectUsage | undefined, plan: WindowPlan, nowMs: number): SeenUsage | undefined {
  const seen = usage?.seen.get(plan.window.name);
  if (!seen || seen.kind !== plan.kind || seen.span !== spanOf(plan)) return undefined;
  const untilMs =
    plan.kind === "sliding" ? bucketExpiresAtMs(bucketIndex(seen.atMs, plan.bucketMs), plan.windowMs, plan.bucketMs) : plan.month.endMs;
  return untilMs > nowMs ? seen : undefined;
}

/** What tells a window from another of the same name and kind: its length, or its month. */
function spanOf(plan: WindowPlan): number {
  return plan.kind === "sliding" ? plan.windowMs : plan.month.startMs;
}

/** What this process counted itself on a window and Redis does not hold yet: pending, being sent, or delivered but unseen. */
function ownUsage(usage: SubjectUsage | undefined, plan: WindowPlan): UsageDelta {
  const parts = [usage?.pending.get(plan.field), usage?.sending?.get(plan.field), usage?.delivered.get(plan.field)].filter(
    (d) => d !== undefined,
  );
  if (parts.length === 1 && parts[0]) return parts[0];
  const sum = emptyDelta(plan);
  for (const part of parts) addDelta(sum, part);
  return sum;
}

/**
 * The window in scaled units (see `fallback-share.ts`): own buckets × processes, plus the usage seen in the
 * bucket it was seen in, where it stops counting. The same buckets when nothing was seen and one process counts.
 */
function scaledBuckets(
  own: UsageDelta & { kind: "sliding" },
  share: FallbackShare,
  seen: SeenUsage | undefined,
): ReadonlyMap<number, number> {
  if (share.processes === 1 && share.seen === 0) return own.buckets;
  const buckets = new Map([...own.buckets].map(([bucket, units]) => [bucket, units * share.processes]));
  if (seen && share.seen > 0) {
    const bucket = bucketIndex(seen.atMs, own.bucketMs);
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + share.seen);
  }
  return buckets;
}

function addAll(into: Map<string, UsageDelta>, from: Map<string, UsageDelta>): void {
  for (const [field, delta] of from) {
    const current = into.get(field);
    if (current) addDelta(current, delta);
    else into.set(field, delta);
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
