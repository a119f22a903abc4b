import type { LimitDecision } from "./limit-decision.js";
import type { WindowState } from "./limit-window.js";

/**
 * The window a client should watch, reported in the `X-RateLimit-*` headers: on a denial the window that
 * denied it (so `X-RateLimit-Reset` agrees with `Retry-After`); otherwise the one with the fewest units
 * remaining and, on a tie, the one that resets last (the longer wait is the one worth knowing about);
 * then the first listed.
 */
export function nearestExhaustion(decision: LimitDecision): WindowState | undefined {
  if (decision.outcome === "denied") {
    const denying = decision.windows.find((w) => w.name === decision.deniedBy);
    if (denying) return denying;
  }
  let nearest: WindowState | undefined;
  for (const window of decision.windows) {
    if (
      !nearest ||
      window.remaining < nearest.remaining ||
      (window.remaining === nearest.remaining && window.resetSeconds > nearest.resetSeconds)
    ) {
      nearest = window;
    }
  }
  return nearest;
}

/**
 * Response headers for a decision at `nowMs`: `X-RateLimit-Limit/-Remaining/-Reset` (epoch seconds) for the
 * window nearest exhaustion, the IETF `RateLimit-Policy` and `RateLimit` structured-field lists for every
 * window (no `w` for a calendar month), and `Retry-After` on a denial. Empty when the state is unknown.
 *
 * @example
 * // RateLimit-Policy: "minute";q=20;w=60, "scans-month";q=100
 * // RateLimit: "minute";r=19;t=59, "scans-month";r=99;t=1205745
 */
export function rateLimitHeaders(decision: LimitDecision, nowMs: number): Record<string, string> {
  const nearest = nearestExhaustion(decision);
  if (!nearest) return {};
  const headers: Record<string, string> = {
    "X-RateLimit-Limit": String(nearest.limit),
    "X-RateLimit-Remaining": String(nearest.remaining),
    "X-RateLimit-Reset": String(Math.ceil(nowMs / 1000) + nearest.resetSeconds),
    // Window names are [a-z0-9-], so they need no escaping inside an sf-string.
    "RateLimit-Policy": decision.windows
      .map((w) => `"${w.name}";q=${w.limit}${w.kind === "sliding" && w.windowSeconds !== undefined ? `;w=${w.windowSeconds}` : ""}`)
      .join(", "),
    RateLimit: decision.windows.map((w) => `"${w.name}";r=${w.remaining};t=${w.resetSeconds}`).join(", "),
  };
  if (decision.outcome === "denied") headers["Retry-After"] = String(decision.retryAfterSeconds);
  return headers;
}
