import { withTimeout } from "@secapi/toolkit";
import type { Cluster, Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { LimiterTimeoutError } from "./errors/limiter-timeout-error.js";
import type { LimiterScripts } from "./limiter-scripts.js";

/** Heartbeats a process may miss before the others stop counting it. */
const MISSED_HEARTBEATS = 3;

export interface ProcessMembershipOptions {
  redis: Redis | Cluster;
  /** The sorted set of live processes (see heartbeat.lua). */
  key: string;
  heartbeat: LimiterScripts["heartbeat"];
  /** ms between heartbeats; 0 turns membership off (the count is then `minimum`). */
  intervalMs: number;
  /** The count assumed until one is read, and the least ever assumed. */
  minimum: number;
  timeoutMs: number;
  onCount(processes: number): void;
  onError(error: unknown): void;
}

/**
 * How many limiter processes share the limits, for the fallback's share of each limit. While Redis is
 * usable, every process that checks limits beats in a sorted set and reads back the number of live ones; the
 * last number read is what the fallback divides by once Redis is gone. Processes join at their first check,
 * so one that only refunds (a worker) does not shrink the others' shares.
 */
export class ProcessMembership {
  private readonly id = randomUUID();
  private counted = 0;
  private timer: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(private readonly options: ProcessMembershipOptions) {}

  /** The processes to share a limit between: the last count read, and never fewer than `minimum`. */
  get processes(): number {
    return Math.max(this.options.minimum, this.counted);
  }

  /** Starts beating (idempotent). */
  join(): void {
    if (this.timer || this.options.intervalMs <= 0) return;
    this.timer = setInterval(() => this.beat(), this.options.intervalMs);
    this.timer.unref();
    this.beat();
  }

  /** Stops beating and leaves the set at once if Redis can be told (otherwise it drops this process after a few intervals). */
  leave(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.options.redis.status === "ready") this.options.redis.zrem(this.options.key, this.id).catch(() => undefined);
  }

  private beat(): void {
    const { redis, key, intervalMs, timeoutMs } = this.options;
    // A beat still waiting means Redis is slow: one is enough. Without a connection, the count read last stands.
    if (this.beating || redis.status !== "ready") return;
    this.beating = true;
    withTimeout(
      this.options.heartbeat(key, this.id, intervalMs * MISSED_HEARTBEATS),
      timeoutMs,
      () => new LimiterTimeoutError("Redis heartbeat", timeoutMs),
    )
      .then(
        (count) => {
          this.counted = count;
          this.options.onCount(count);
        },
        (error: unknown) => this.options.onError(error),
      )
      .finally(() => {
        this.beating = false;
      });
  }
}
