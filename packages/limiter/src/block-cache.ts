import type { LimitDecision } from "./limit-decision.js";
import type { WindowState } from "./limit-window.js";
import { type WindowEvaluation, blockingWindows, isCounted, windowState } from "./window-evaluation.js";
import type { WindowPlan } from "./window-plan.js";

interface WindowSnapshot {
  state: WindowState;
  resetAtMs: number;
  /** Consuming checks of at least `blockedCost` units are denied until then (0: not blocked). */
  blockedUntilMs: number;
  blockedCost: number;
}

/** A window is the same one only with the same limit: after a tier change a block no longer applies. */
function signature(plan: WindowPlan): string {
  const seconds = plan.kind === "sliding" ? plan.window.windowSeconds : "month";
  return `${plan.window.name}|${seconds}|${plan.limit}`;
}

/**
 * Denials this process learned from Redis, so a subject hammering a closed window costs no round trip
 * until it opens. It answers only when it knows every window of the check (from one or more denials),
 * so the headers of a memory denial are as complete as Redis's. Bounded: the least recently denied
 * subjects are forgotten first.
 */
export class BlockCache {
  private readonly subjects = new Map<string, Map<string, WindowSnapshot>>();

  constructor(private readonly maxSubjects: number) {}

  /** Remembers a Redis denial of `cost` units (`evaluation` from check.lua at `nowMs`). */
  record(subject: string, plans: WindowPlan[], evaluation: WindowEvaluation, cost: number, nowMs: number): void {
    const snapshots = this.subjects.get(subject) ?? new Map<string, WindowSnapshot>();
    this.subjects.delete(subject);
    const blocking = new Set(blockingWindows(plans, evaluation, cost));
    plans.forEach((plan, i) => {
      const resetMs = evaluation.resetMs[i] ?? 0;
      snapshots.set(signature(plan), {
        state: windowState(plan, evaluation.used[i] ?? 0, resetMs),
        resetAtMs: nowMs + resetMs,
        blockedUntilMs: blocking.has(i) ? nowMs + resetMs : 0,
        blockedCost: cost,
      });
    });
    this.subjects.set(subject, snapshots);
    for (const oldest of this.subjects.keys()) {
      if (this.subjects.size <= this.maxSubjects) break;
      this.subjects.delete(oldest);
    }
  }

  /** A memory denial for a consuming check, or undefined if Redis must decide. */
  lookup(subject: string, plans: WindowPlan[], cost: number, nowMs: number): LimitDecision | undefined {
    const snapshots = this.subjects.get(subject);
    if (!snapshots) return undefined;
    if (![...snapshots.values()].some((s) => s.blockedUntilMs > nowMs)) {
      this.subjects.delete(subject);
      return undefined;
    }
    let deniedBy: WindowSnapshot | undefined;
    const known: WindowSnapshot[] = [];
    for (const plan of plans) {
      const snapshot = snapshots.get(signature(plan));
      if (!snapshot) return undefined;
      known.push(snapshot);
      // A report-only window never denies, even one that a consuming check found exhausted.
      if (
        isCounted(plan) &&
        snapshot.blockedUntilMs > nowMs &&
        cost >= snapshot.blockedCost &&
        snapshot.blockedUntilMs > (deniedBy?.blockedUntilMs ?? 0)
      ) {
        deniedBy = snapshot;
      }
    }
    if (!deniedBy) return undefined;
    return {
      outcome: "denied",
      source: "memory",
      windows: known.map((s) => ({ ...s.state, resetSeconds: Math.max(0, Math.ceil((s.resetAtMs - nowMs) / 1000)) })),
      deniedBy: deniedBy.state.name,
      retryAfterSeconds: Math.max(1, Math.ceil((deniedBy.blockedUntilMs - nowMs) / 1000)),
    };
  }

  /** Drops what is known about a subject (after a refund gave capacity back). */
  forget(subject: string): void {
    this.subjects.delete(subject);
  }

  clear(): void {
    this.subjects.clear();
  }
}
