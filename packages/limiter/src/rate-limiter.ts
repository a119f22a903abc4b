import { CircuitBreaker, withTimeout } from "@secapi/toolkit";
import type { Cluster, Redis } from "ioredis";
import { performance } from "node:perf_hooks";
import { BlockCache } from "./block-cache.js";
import { InvalidLimitCheckError } from "./errors/invalid-limit-check-error.js";
import { LimiterClosedError } from "./errors/limiter-closed-error.js";
import { LimiterTimeoutError } from "./errors/limiter-timeout-error.js";
import { LimiterUnavailableError } from "./errors/limiter-unavailable-error.js";
import { FallbackLimiter } from "./fallback-limiter.js";
import type { LimitDecision } from "./limit-decision.js";
import type { LimitCheck, LimitWindow } from "./limit-window.js";
import { type LimiterScripts, adjustScriptArgs, checkScriptArgs, limiterScripts, parseCheckReply } from "./limiter-scripts.js";
import { ProcessMembership } from "./process-membership.js";
import type { LimiterHooks, RateLimiterOptions } from "./rate-limiter-options.js";
import { type UsageDelta, deltaAt } from "./usage-delta.js";
import { type WindowEvaluation, decisionFromEvaluation, isCounted } from "./window-evaluation.js";
import { type WindowPlan, assertValidCheck, planWindows } from "./window-plan.js";
import { subjectKey } from "./window-key.js";

/**
 * ioredis states in which a command would only wait in the offline queue (and maybe run long after we gave up),
 * or be refused: failing at once, before anything is awaited, makes each such call a failure of its own for the breaker.
 */
const DISCONNECTED = new Set(["reconnecting", "connecting", "connect", "close", "end"]);
/** A month counter vanishing between two calls is rare; vanishing three times means something else is wrong. */
const SEED_ATTEMPTS = 3;
/**
 * Merges and heartbeats are off the hot path: a longer timeout makes "timed out but applied anyway" (double
 * counting) unlikely, and keeps a heartbeat from failing on a busy moment.
 */
const BACKGROUND_TIMEOUT_FLOOR_MS = 1000;
/** Subjects merged concurrently after an outage. */
const MERGE_CONCURRENCY = 16;
/** Checks per Redis call at most (see RateLimiterOptions.batchSize). */
const DEFAULT_BATCH_SIZE = 64;

/**
 * Multi-window rate limits and quotas checked in one Redis round trip, all or nothing.
 *
 * @example
 * const limiter = new RateLimiter({ redis: queueRedis, monthUsage: monthUsageFromPostgres(db) });
 * const decision = await limiter.check({ subject: `user:${user.id}`, windows: [minute, scansHour, scansMonth] });
 * if (decision.outcome === "denied") return reply429(decision, rateLimitHeaders(decision, Date.now()));
 */
export class RateLimiter {
  private readonly redis: Redis | Cluster;
  private readonly prefix: string;
  private readonly failMode: "open" | "closed";
  private readonly timeoutMs: number;
  private readonly monthUsageTimeoutMs: number;
  private readonly clock: () => number;
  private readonly hooks: LimiterHooks;
  private readonly monthUsage: RateLimiterOptions["monthUsage"];
  private readonly scripts: LimiterScripts;
  private readonly breaker: CircuitBreaker;
  private readonly blocks: BlockCache;
  private readonly fallback: FallbackLimiter;
  private readonly membership: ProcessMembership;
  private readonly monthUsageLoads = new Map<string, Promise<number>>();
  private lastRedisError: unknown;
  private merging: Promise<void> | undefined;
  /** Orders Redis checks against fallback merges: a check numbered after a merge landed sees its usage. */
  private seq = 0;
  private closed = false;

  constructor(options: RateLimiterOptions) {
    this.redis = options.redis;
    this.prefix = options.prefix ?? "secapi:rl";
    if (/[{}]/.test(this.prefix)) throw new InvalidLimitCheckError(`prefix must not contain braces, got ${JSON.stringify(this.prefix)}`);
    this.failMode = options.failMode ?? "open";
    this.timeoutMs = options.timeoutMs ?? 50;
    this.monthUsageTimeoutMs = options.monthUsageTimeoutMs ?? 500;
    this.clock = options.clock ?? Date.now;
    this.hooks = options.hooks ?? {};
    this.monthUsage = options.monthUsage;
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
      throw new InvalidLimitCheckError(`batchSize must be an integer ≥ 1, got ${batchSize}`);
    }
    this.scripts = limiterScripts(this.redis, batchSize);
    this.breaker = new CircuitBreaker({
      failureThreshold: options.breakerThreshold ?? 3,
      cooldownMs: options.breakerCooldownMs ?? 1000,
      probe: () => this.probeRedis(),
    });
    this.blocks = new BlockCache(options.blockCacheSize ?? 10_000);
    this.fallback = new FallbackLimiter(options.fallbackMaxSubjects ?? 50_000);
    const fallbackProcesses = options.fallbackProcesses ?? 1;
    if (!Number.isSafeInteger(fallbackProcesses) || fallbackProcesses < 1) {
      throw new InvalidLimitCheckError(`fallbackProcesses must be an integer ≥ 1, got ${fallbackProcesses}`);
    }
    this.membership = new ProcessMembership({
      redis: this.redis,
      key: `${this.prefix}:processes`,
      heartbeat: this.scripts.heartbeat,
      // Only the fallback needs the count.
      intervalMs: this.failMode === "open" ? (options.membershipIntervalMs ?? 5000) : 0,
      minimum: fallbackProcesses,
      timeoutMs: Math.max(this.timeoutMs, BACKGROUND_TIMEOUT_FLOOR_MS),
      onCount: (processes) => this.emit(() => this.hooks.onProcessCount?.(processes)),
      onError: (error) => this.report("heartbeat", error),
    });
  }

  /** Checks and (unless `peek`) consumes every window of the check at once. Never throws on Redis trouble. */
  async check(check: LimitCheck): Promise<LimitDecision> {
    const cost = check.cost ?? 1;
    if (this.closed) throw new LimiterClosedError();
    assertValidCheck(check.subject, check.windows, cost);
    if (cost < 0) throw new InvalidLimitCheckError(`a check's cost must be ≥ 0 (refund gives units back), got ${cost}`);
    this.membership.join();
    const decision = await this.decide(check, cost);
    this.emit(() => this.hooks.onDecision?.(check, decision));
    return decision;
  }

  /**
   * Adds a negative or positive adjustment to windows (e.g. give back a scan that failed for an internal reason):
   * `cost` units are returned (a negative cost charges more). Never throws on Redis trouble: while Redis is
   * unusable the adjustment waits in the fallback and is merged with it.
   */
  async refund(subject: string, windows: readonly LimitWindow[], cost = 1): Promise<void> {
    if (this.closed) throw new LimiterClosedError();
    assertValidCheck(subject, windows, cost);
    if (cost === 0) return;
    const nowMs = this.clock();
    const plans = planWindows(this.prefix, subject, windows, nowMs).filter(isCounted);
    if (plans.length === 0) return;
    // Capacity came back: a remembered denial may be wrong now.
    if (cost > 0) this.blocks.forget(subject);
    const deltas = new Map<string, UsageDelta>(plans.map((plan) => [plan.field, deltaAt(plan, -cost, nowMs)]));
    try {
      await this.applyDeltas(subject, deltas, nowMs, "refund", this.timeoutMs);
    } catch {
      this.fallback.adjust(subject, plans, -cost, nowMs);
    }
  }

  /** Forgets in-process state (memory blocks, unmerged fallback usage) and stops counting this process. The Redis client stays the caller's. */
  close(): void {
    this.closed = true;
    this.membership.leave();
    this.blocks.clear();
    this.fallback.clear();
  }

  private async decide(check: LimitCheck, cost: number): Promise<LimitDecision> {
    const nowMs = this.clock();
    const peek = check.peek === true;
    const plans = planWindows(this.prefix, check.subject, check.windows, nowMs);
    if (!peek) {
      const blocked = this.blocks.lookup(check.subject, plans, cost, nowMs);
      if (blocked) return blocked;
    }
    const seq = ++this.seq;
    try {
      const evaluation = await this.evaluateInRedis(check.subject, plans, cost, peek, nowMs);
      if (!evaluation.allowed && !peek) this.blocks.record(check.subject, plans, evaluation, cost, nowMs);
      if (this.failMode === "open") this.fallback.observe(check.subject, plans, evaluation, nowMs, seq);
      return decisionFromEvaluation(plans, evaluation, cost, "redis");
    } catch (error) {
      if (this.failMode === "closed") {
        const unavailable =
          error instanceof LimiterUnavailableError ? error : new LimiterUnavailableError("rate limiter failed", { cause: error });
        return { outcome: "unavailable", windows: [], error: unavailable };
      }
      const evaluation = this.fallback.check(check.subject, plans, cost, peek, nowMs, this.membership.processes);
      return decisionFromEvaluation(plans, evaluation, cost, "fallback");
    }
  }

  private async evaluateInRedis(
    subject: string,
    plans: WindowPlan[],
    cost: number,
    peek: boolean,
    nowMs: number,
  ): Promise<WindowEvaluation> {
    const key = subjectKey(this.prefix, subject);
    const seeds: Array<number | undefined> = [];
    for (let attempt = 0; attempt < SEED_ATTEMPTS; attempt++) {
      const args = checkScriptArgs(plans, nowMs, cost, peek, this.monthUsage !== undefined, seeds);
      const reply = parseCheckReply(await this.redisCall("check", () => this.scripts.check(key, args), this.timeoutMs), plans.length);
      if (reply.evaluation) return reply.evaluation;
      await Promise.all(
        reply.missing.map(async (i) => {
          seeds[i] = await this.durableMonthUsage(subject, plans[i]);
        }),
      );
    }
    throw new LimiterUnavailableError(`month counters of ${subject} kept disappearing while being seeded`);
  }

  /** The caller's durable month usage, one load per counter at a time however many checks wait for it. */
  private durableMonthUsage(subject: string, plan: WindowPlan | undefined): Promise<number> {
    const monthUsage = this.monthUsage;
    if (!plan || plan.kind !== "calendar-month" || !monthUsage) return Promise.resolve(0);
    const loadKey = `${plan.key}|${plan.field}`;
    const inFlight = this.monthUsageLoads.get(loadKey);
    if (inFlight) return inFlight;
    const timeoutMs = this.monthUsageTimeoutMs;
    const load = withTimeout(
      Promise.resolve().then(() => monthUsage(subject, plan.window, new Date(plan.month.startMs))),
      timeoutMs,
      () => new LimiterTimeoutError("monthUsage", timeoutMs),
    )
      .then((units) => {
        if (!Number.isFinite(units) || units < 0) throw new InvalidLimitCheckError(`monthUsage returned ${units}, not a count`);
        return Math.floor(units);
      })
      .catch((error: unknown) => {
        this.report("month-usage", error);
        throw new LimiterUnavailableError(`monthUsage failed for ${loadKey}`, { cause: error });
      })
      .finally(() => this.monthUsageLoads.delete(loadKey));
    this.monthUsageLoads.set(loadKey, load);
    return load;
  }

  private async applyDeltas(
    subject: string,
    deltas: ReadonlyMap<string, UsageDelta>,
    nowMs: number,
    operation: string,
    timeoutMs: number,
  ): Promise<void> {
    const args = adjustScriptArgs(deltas, nowMs, this.monthUsage === undefined);
    if (!args) return;
    await this.redisCall(operation, () => this.scripts.adjust(subjectKey(this.prefix, subject), args), timeoutMs);
  }

  /**
   * One Redis call behind the breaker and a timeout. Failures are reported, counted by the breaker and
   * rethrown as LimiterUnavailableError; a success lets unmerged fallback usage go back to Redis.
   */
  private async redisCall<T>(operation: string, call: () => Promise<T>, timeoutMs: number): Promise<T> {
    const ticket = this.breaker.tryCall();
    if (ticket === undefined) {
      throw new LimiterUnavailableError("Redis is being skipped after repeated failures", { cause: this.lastRedisError });
    }
    const started = performance.now();
    try {
      if (DISCONNECTED.has(this.redis.status)) throw new LimiterUnavailableError(`the Redis connection is ${this.redis.status}`);
      const result = await withTimeout(call(), timeoutMs, () => new LimiterTimeoutError(`Redis ${operation}`, timeoutMs));
      this.breaker.recordSuccess();
      if (this.fallback.pendingSubjects > 0) this.startMerge();
      return result;
    } catch (error) {
      this.breaker.recordFailure(ticket);
      this.lastRedisError = error;
      this.report(operation, error);
      throw error instanceof LimiterUnavailableError ? error : new LimiterUnavailableError(`Redis ${operation} failed`, { cause: error });
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.emit(() => this.hooks.onRedisLatency?.(seconds));
    }
  }

  /** The breaker's probe: whether Redis answers a PING within `timeoutMs` now. */
  private async probeRedis(): Promise<boolean> {
    if (this.closed || DISCONNECTED.has(this.redis.status)) return false;
    try {
      await withTimeout(this.redis.ping(), this.timeoutMs, () => new LimiterTimeoutError("Redis probe", this.timeoutMs));
      return true;
    } catch (error) {
      this.lastRedisError = error;
      return false;
    }
  }

  private startMerge(): void {
    if (this.merging || this.closed) return;
    this.merging = this.mergeFallback().finally(() => {
      this.merging = undefined;
    });
  }

  /**
   * Adds what the fallback counted into Redis, subject by subject; what cannot be delivered goes back to the
   * fallback. Delivered usage keeps counting in the fallback until a check sees it in Redis.
   */
  private async mergeFallback(): Promise<void> {
    const pending = this.fallback.takePending();
    const nowMs = this.clock();
    const timeoutMs = Math.max(this.timeoutMs, BACKGROUND_TIMEOUT_FLOOR_MS);
    for (let i = 0; i < pending.length; i += MERGE_CONCURRENCY) {
      await Promise.all(
        pending.slice(i, i + MERGE_CONCURRENCY).map(({ subject, deltas }) =>
          this.applyDeltas(subject, deltas, nowMs, "merge", timeoutMs).then(
            () => this.fallback.delivered(subject, ++this.seq),
            () => this.fallback.undelivered(subject),
          ),
        ),
      );
    }
  }

  private report(operation: string, error: unknown): void {
    this.emit(() => this.hooks.onError?.(operation, error));
  }

  /** Hooks belong to the caller: an exception in one must not turn a decision into a failure. */
  private emit(call: () => void): void {
    try {
      call();
    } catch {
      // ignored on purpose, see above
    }
  }
}
