import type { WindowState } from "./limit-window.js";

/**
 * The answer to a check. `source` says who decided: Redis (the shared truth), the in-process
 * `fallback` while Redis is unusable (failMode "open"), or `memory` (a block this process learned from Redis).
 */
export type LimitDecision =
  | { outcome: "allowed"; source: "redis" | "fallback"; windows: WindowState[] }
  | {
      outcome: "denied";
      source: "redis" | "fallback" | "memory";
      windows: WindowState[];
      /** Name of the window that keeps the request out longest. */
      deniedBy: string;
      /** Whole seconds (≥ 1) until every window can take the request again. */
      retryAfterSeconds: number;
    }
  /** failMode "closed" and Redis unusable: the caller answers 503, not 429. The state is unknown, so `windows` is empty. */
  | { outcome: "unavailable"; windows: WindowState[]; error: Error };
