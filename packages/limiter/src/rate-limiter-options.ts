import type { Cluster, Redis } from "ioredis";
import type { LimitDecision } from "./limit-decision.js";
import type { LimitCheck, LimitWindow } from "./limit-window.js";

/** Callbacks for metrics and logs, so this package needs no metrics library. Exceptions they throw are ignored. */
export interface LimiterHooks {
  /** Every decision, whatever its source. */
  onDecision?(check: LimitCheck, decision: LimitDecision): void;
  /** A failed operation ("check", "refund", "merge", "month-usage", "heartbeat"); the limiter degraded instead of throwing. */
  onError?(operation: string, error: unknown): void;
  /** Duration of every Redis call made, seconds (timed-out calls report about `timeoutMs`). */
  onRedisLatency?(seconds: number): void;
  /** The number of live limiter processes, read at every heartbeat: what the fallback divides each limit by. */
  onProcessCount?(processes: number): void;
}

export interface RateLimiterOptions {
  /** ioredis client or cluster, owned by the caller. Use the queue Redis (noeviction), never the evictable cache. */
  redis: Redis | Cluster;
  /** Key prefix, default "secapi:rl". No braces: the hash tag is the subject's. */
  prefix?: string;
  /**
   * What a check answers while Redis is unusable: "open" (default) admits, per process, its share of what is left
   * of each limit (see `fallbackProcesses`); "closed" answers unavailable.
   */
  failMode?: "open" | "closed";
  /** Per Redis call, default 50; a slow Redis counts as down. */
  timeoutMs?: number;
  /**
   * Most checks sent to Redis in one call, default 64. Checks issued in the same turn of the event loop share a
   * call (each still evaluated atomically, in order; see check-batcher.ts); a check alone goes alone. Under Redis
   * Cluster only checks whose keys share a slot share a call. 1 sends every check on its own.
   */
  batchSize?: number;
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
  /** Redis failures in a row that open the circuit breaker, default 3 (calls that fail together count once). */
  breakerThreshold?: number;
  /** How long an open breaker skips Redis before one probe is let through, default 1000 ms. */
  breakerCooldownMs?: number;
  /** Subjects whose denials are remembered in memory, default 10,000 (least recently denied are forgotten first). */
  blockCacheSize?: number;
  /**
   * Subjects the in-process fallback remembers (the usage Redis last reported, usage not yet merged), default
   * 50,000 (least recently checked are dropped first).
   */
  fallbackMaxSubjects?: number;
  /**
   * The fewest processes assumed to share the limits, default 1. While Redis is unusable each process admits
   * `floor((limit − seen) / N)` of a window, N being the larger of this and the live processes counted in Redis.
   */
  fallbackProcesses?: number;
  /**
   * ms between the heartbeats through which processes count each other in Redis (from their first check),
   * default 5000; a process missing 3 is no longer counted. 0 turns counting off: N is then `fallbackProcesses`.
   */
  membershipIntervalMs?: number;
}
