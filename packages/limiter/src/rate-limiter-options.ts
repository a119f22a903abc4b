import type { Cluster, Redis } from "ioredis";
import type { LimitDecision } from "./limit-decision.js";
import type { LimitCheck, LimitWindow } from "./limit-window.js";

/** Callbacks for metrics and logs, so this package needs no metrics library. Exceptions they throw are ignored. */
export interface LimiterHooks {
  /** Every decision, whatever its source. */
  onDecision?(check: LimitCheck, decision: LimitDecision): void;
  /** A failed operation ("check", "refund", "merge", "month-usage"); the limiter degraded instead of throwing. */
  onError?(operation: string, error: unknown): void;
  /** Duration of every Redis call made, seconds (timed-out calls report about `timeoutMs`). */
  onRedisLatency?(seconds: number): void;
}

export interface RateLimiterOptions {
  /** ioredis client or cluster, owned by the caller. Use the queue Redis (noeviction), never the evictable cache. */
  redis: Redis | Cluster;
  /** Key prefix, default "secapi:rl". No braces: the hash tag is the subject's. */
  prefix?: string;
  /** What a check answers while Redis is unusable: "open" (default) limits per process, "closed" answers unavailable. */
  failMode?: "open" | "closed";
  /** Per Redis call, default 50; a slow Redis counts as down. */
  timeoutMs?: number;
  /**
   * Called when a calendar-month counter is missing in Redis (flushed/evicted/new month) to get the durable usage so far
   * (from Postgres); the result seeds Redis. Optional: without it a missing counter starts at 0.
   */
  monthUsage?: (subject: string, window: LimitWindow, monthStart: Date) => Promise<number>;
  /** Time allowed for `monthUsage`, default 500 ms; if it fails or is late the check degrades like a Redis failure. */
  monthUsageTimeoutMs?: number;
  /** ms since epoch; injectable so tests never sleep a minute. */
  clock?: () => number;
  hooks?: LimiterHooks;
  /** Consecutive Redis failures that open the circuit breaker, default 3. */
  breakerThreshold?: number;
  /** How long an open breaker skips Redis before one probe is let through, default 1000 ms. */
  breakerCooldownMs?: number;
  /** Subjects whose denials are remembered in memory, default 10,000 (least recently denied are forgotten first). */
  blockCacheSize?: number;
  /** Subjects the in-process fallback tracks while Redis is unusable, default 50,000 (oldest are dropped first). */
  fallbackMaxSubjects?: number;
}
