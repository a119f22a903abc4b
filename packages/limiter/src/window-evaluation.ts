import type { LimitDecision } from "./limit-decision.js";
import type { WindowState } from "./limit-window.js";
import type { WindowPlan } from "./window-plan.js";

/** What check.lua or the fallback found, window by window, in the order of the check's windows. */
export interface WindowEvaluation {
  allowed: boolean;
  /** Units used after the decision. */
  used: number[];
  /** ms until the window can take `cost` again, or next frees capacity (sliding) / resets (month). */
  resetMs: number[];
}

/** The public state of one window. */
export function windowState(plan: WindowPlan, used: number, resetMs: number): WindowState {
  const { window } = plan;
  const state: WindowState = {
    name: window.name,
    kind: window.kind,
    limit: plan.limit,
    used,
    remaining: Math.max(0, plan.limit - used),
    resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)),
  };
  if (plan.kind === "sliding") state.windowSeconds = window.windowSeconds;
  return state;
}

/** Whether a window takes part in the decision (consumed, may deny), as opposed to one that is only reported. */
export function isCounted(plan: WindowPlan): boolean {
  return plan.window.reportOnly !== true;
}

/**
 * Indices of the windows that cannot take `cost` now, with the one that keeps the request out longest
 * first. Empty when the request fits. `used` is as evaluated (a denial consumed nothing). Report-only windows
 * never block.
 */
export function blockingWindows(plans: WindowPlan[], evaluation: WindowEvaluation, cost: number): number[] {
  const blocking: number[] = [];
  plans.forEach((plan, i) => {
    if (isCounted(plan) && (evaluation.used[i] ?? 0) + cost > plan.limit) blocking.push(i);
  });
  return blocking.sort((a, b) => (evaluation.resetMs[b] ?? 0) - (evaluation.resetMs[a] ?? 0));
}

/** Turns an evaluation into the decision the caller sees. */
export function decisionFromEvaluation(
  plans: WindowPlan[],
  evaluation: WindowEvaluation,
  cost: number,
  source: "redis" | "fallback",
): LimitDecision {
  const windows = plans.map((plan, i) => windowState(plan, evaluation.used[i] ?? 0, evaluation.resetMs[i] ?? 0));
  if (evaluation.allowed) return { outcome: "allowed", source, windows };
  const longest = blockingWindows(plans, evaluation, cost)[0] ?? 0;
  return {
    outcome: "denied",
    source,
    windows,
    deniedBy: plans[longest]?.window.name ?? "",
    retryAfterSeconds: Math.max(1, Math.ceil((evaluation.resetMs[longest] ?? 0) / 1000)),
  };
}
