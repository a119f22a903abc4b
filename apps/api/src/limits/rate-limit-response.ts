import { type LimitDecision, type LimitWindow, type WindowState, rateLimitHeaders } from "@secapi/limiter";
import type { Response } from "express";
import { setHeaders } from "../http/cache-control.js";
import { HttpError } from "../http/http-error.js";

/** One decision covering every window a response reports (the request limit, and scan quotas on submissions). */
export function mergeDecisions(first: LimitDecision, second: LimitDecision): LimitDecision {
  const windows: WindowState[] = [...first.windows, ...second.windows];
  for (const decision of [first, second]) {
    if (decision.outcome === "unavailable") return { ...decision, windows };
  }
  for (const decision of [first, second]) {
    if (decision.outcome === "denied") return { ...decision, windows };
  }
  return { outcome: "allowed", source: first.outcome === "allowed" ? first.source : "redis", windows };
}

/** Whether a decision carries the state of every one of `windows` (by name). */
export function reportsEvery(decision: LimitDecision, windows: readonly LimitWindow[]): boolean {
  return windows.every((window) => decision.windows.some((state) => state.name === window.name));
}

/** The decision without the states of `windows` (by name): e.g. scan quotas that a later check reports afresh. */
export function withoutWindows(decision: LimitDecision, windows: readonly LimitWindow[]): LimitDecision {
  const names = new Set(windows.map((window) => window.name));
  return { ...decision, windows: decision.windows.filter((state) => !names.has(state.name)) };
}

/** Sets the X-RateLimit-* and IETF RateLimit-Policy / RateLimit headers (and Retry-After on a denial). */
export function setRateLimitHeaders(res: Response, decision: LimitDecision): void {
  setHeaders(res, rateLimitHeaders(decision, Date.now()));
}

/** The 429 of docs/API.md "Rate-limit headers" for a denial, or the 503 a closed limiter answers while it cannot count. */
export function limitError(decision: LimitDecision): HttpError | undefined {
  if (decision.outcome === "denied") {
    const window = decision.windows.find((w) => w.name === decision.deniedBy);
    return new HttpError(
      429,
      "rate_limited",
      "Rate limit exceeded",
      {
        retry_after: decision.retryAfterSeconds,
        limit: window?.limit ?? null,
        window: decision.deniedBy,
        ...(window?.windowSeconds !== undefined && { window_seconds: window.windowSeconds }),
      },
      { "Retry-After": String(decision.retryAfterSeconds) },
    );
  }
  if (decision.outcome === "unavailable") {
    return new HttpError(503, "rate_limit_unavailable", "Rate limiting is unavailable; try again shortly", {}, { "Retry-After": "5" });
  }
  return undefined;
}
