import { performance } from "node:perf_hooks";
import { type BreakerState, CircuitBreaker, withoutStack } from "@secapi/toolkit";
import type { Cluster, Redis } from "ioredis";
import { Deadlines } from "./deadlines.js";
import { CacheTimeoutError } from "./errors/cache-timeout-error.js";
import { CacheUnavailableError } from "./errors/cache-unavailable-error.js";
import { type Invalidation, type InvalidationKind, parseInvalidation } from "./invalidation.js";
import type { KeyLayout } from "./key-layout.js";
import { SCRIPTS } from "./cache-scripts.js";
import { StallGuard } from "./stall-guard.js";

/** The result of a Redis operation as a value: hot paths branch on it instead of catching. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** One invalidation read back from the fence log, with the instance that made it. */
export interface FenceRecord {
  instance: string;
  invalidation: Invalidation;
}

/** What changed since the caller's epoch: nothing, too much to replay, or these records. */
export type FenceReading =
  { epoch: string; change: "none" } | { epoch: string; change: "gap" } | { epoch: string; change: "replay"; records: FenceRecord[] };

/** An entry to write, with the epoch its load began at (`since`) when the write must be refused after an invalidation. */
export interface WriteRequest {
  key: string;
  payload: string;
  tags: readonly string[];
  lifetimeMs: number;
  since?: string;
  /** Record the write as a key invalidation so that other instances drop their L1 copy (an explicit `set`). */
  record: boolean;
}

export interface RedisStoreOptions {
  redis: Redis | Cluster;
  layout: KeyLayout;
  instanceId: string;
  timeoutMs: number;
  failureThreshold: number;
  cooldownMs: number;
  onOperation: (operation: string, seconds: number) => void;
  onError: (operation: string, error: unknown) => void;
  onBreakerChange: (state: BreakerState) => void;
}

/** Fence entries kept in Redis (approximately; XADD MAXLEN ~). */
const FENCE_MAX_LENGTH = 1000;
/** Most fence entries replayed or examined at once; beyond it an instance drops its whole L1 instead. */
export const MAX_REPLAY = 500;
/** Keys per delete script call and members per tag per invalidate call, so one call never blocks Redis long. */
const BATCH = 500;
const SCAN_COUNT = 1000;

const DOWN = new Set(["end", "close", "reconnecting"]);

class StepFailure extends Error {}
type Step = <R>(operation: string, send: () => Promise<R>) => Promise<R>;

/**
 * The L2: every Redis call the cache makes, each raced against `timeoutMs` and guarded by a circuit
 * breaker, each returning an `Outcome` instead of throwing. While a call that timed out is still
 * unanswered, no call is sent: it would queue behind that one on the connection and wait past its timeout. On a standalone Redis, writes and
 * invalidations are single Lua scripts (atomic); on a Cluster, where an entry, its tag sets and the fence
 * live in different slots, they are sequences of single-key commands.
 */
export class RedisStore {
  readonly breaker: CircuitBreaker;
  private readonly stall: StallGuard;
  private readonly redis: Redis | Cluster;
  private readonly layout: KeyLayout;
  private readonly cluster: boolean;
  private readonly deadlines: Deadlines;

  constructor(private readonly options: RedisStoreOptions) {
    this.deadlines = new Deadlines(options.timeoutMs);
    this.redis = options.redis;
    this.layout = options.layout;
    this.cluster = options.redis.isCluster;
    this.breaker = new CircuitBreaker({
      failureThreshold: options.failureThreshold,
      cooldownMs: options.cooldownMs,
      now: () => performance.now(),
      probe: async () => (await this.ping()) !== undefined,
      onStateChange: options.onBreakerChange,
    });
    // Redis answering a stalled command is the earliest sign that it is back: no need to wait out the cooldown.
    this.stall = new StallGuard(() => this.breaker.probeNow());
  }

  /** Whether Redis is believed reachable: breaker closed, connection ready, and no call stalled. */
  get connected(): boolean {
    return this.breaker.state === "closed" && this.redis.status === "ready" && !this.stall.stalled;
  }

  get(key: string, operation = "get"): Promise<Outcome<string | null>> {
    return this.call(operation, () => this.redis.get(key));
  }

  /** Writes an entry; resolves false when the guard refused it. */
  write(request: WriteRequest): Promise<Outcome<boolean>> {
    const { key, payload, tags, lifetimeMs, since, record } = request;
    const tagSeconds = Math.ceil(lifetimeMs / 1000) + 1;
    const recordAs = record ? this.options.instanceId : "";
    if (!this.cluster) {
      const keys = [key, this.layout.fence, ...tags.map((t) => this.layout.tag(t))];
      const args = [payload, Math.ceil(lifetimeMs), tagSeconds, since ?? "", MAX_REPLAY, recordAs, FENCE_MAX_LENGTH];
      return this.call("set", async () => (await SCRIPTS.setEntry.run(this.redis, keys, args)) === 1);
    }
    return this.sequence(async (step) => {
      if (since !== undefined) {
        const args = [since, MAX_REPLAY, key, JSON.stringify(tags)];
        if ((await step("set", () => SCRIPTS.checkInvalidated.run(this.redis, [this.layout.fence], args))) === 1) return false;
      }
      await Promise.all(tags.map((t) => step("set", () => SCRIPTS.addToTag.run(this.redis, [this.layout.tag(t)], [key, tagSeconds]))));
      await step("set", () => this.redis.set(key, payload, "PX", Math.ceil(lifetimeMs)));
      if (record) await this.record(step, "key", [key]);
      return true;
    });
  }

  /**
   * Deletes entries (and their tag memberships); resolves how many existed. Recorded as a key invalidation
   * unless `record` is false (a corrupt entry, which no L1 can hold, and whose recording would refuse the
   * very write that replaces it).
   */
  deleteKeys(keys: readonly string[], record = true): Promise<Outcome<number>> {
    return this.sequence(async (step) => {
      if (!this.cluster) {
        let deleted = 0;
        for (let i = 0; i < keys.length; i += BATCH) {
          const batch = keys.slice(i, i + BATCH);
          deleted += await this.deleteBatch(step, batch, record ? { kind: "key", items: batch } : undefined);
        }
        return deleted;
      }
      const deleteEach = () => this.deleteEach(step, keys, "");
      return record ? this.recordedAround(step, { kind: "key", items: keys }, deleteEach) : deleteEach();
    });
  }

  /** Deletes exactly the entries carrying any of `tags`, empties their tag sets and records a tag invalidation. */
  invalidateTags(tags: readonly string[]): Promise<Outcome<number>> {
    return this.sequence(async (step) => {
      if (!this.cluster) {
        const keys = [this.layout.fence, ...tags.map((t) => this.layout.tag(t))];
        const args = [this.layout.tagPrefix, this.options.instanceId, JSON.stringify(tags), BATCH, FENCE_MAX_LENGTH];
        let deleted = 0;
        let calls = 0;
        let maxCalls = 1;
        do {
          const [count, left] = (await step("invalidate", () => SCRIPTS.invalidateTags.run(this.redis, keys, args))) as [number, number];
          deleted += count;
          // Members added while this runs belong to newer entries: pop only as many rounds as were there.
          if (++calls === 1) maxCalls = 1 + Math.ceil(left / BATCH);
          if (left === 0) break;
        } while (calls < maxCalls);
        return deleted;
      }
      return this.recordedAround(step, { kind: "tag", items: tags }, async () => {
        let deleted = 0;
        for (const tag of tags) {
          const tagKey = this.layout.tag(tag);
          const rounds = Math.ceil((await step("invalidate", () => this.redis.scard(tagKey))) / BATCH);
          for (let round = 0; round < rounds; round++) {
            const members = await step("invalidate", () => this.redis.spop(tagKey, BATCH));
            deleted += await this.deleteEach(step, members, tag);
          }
        }
        return deleted;
      });
    });
  }

  /**
   * Deletes the entries whose keys match a SCAN pattern on every master (`pattern`), or every entry and tag
   * set under the prefix (`flush`). Recorded before and after: writers racing the scan are refused from
   * the start, and L1 copies refilled during it are dropped at the end.
   */
  deleteMatching(pattern: string, kind: "pattern" | "flush"): Promise<Outcome<number>> {
    const invalidation: Invalidation = { kind, items: kind === "pattern" ? [pattern] : [] };
    return this.sequence((step) =>
      this.recordedAround(step, invalidation, async () => {
        let deleted = 0;
        await this.scanMasters(step, pattern, async (keys) => {
          const entries = keys.filter((k) => this.layout.isEntry(k));
          if (kind === "flush") {
            const tagSets = keys.filter((k) => k.startsWith(this.layout.tagPrefix));
            deleted += await this.unlink(step, entries);
            await this.unlink(step, tagSets);
          } else if (this.cluster) {
            deleted += await this.deleteEach(step, entries, "");
          } else if (entries.length > 0) {
            deleted += await this.deleteBatch(step, entries, undefined);
          }
        });
        return deleted;
      }),
    );
  }

  /** Counts the entries (not bookkeeping) whose keys match a SCAN pattern, on every master. */
  countEntries(pattern: string): Promise<Outcome<number>> {
    return this.sequence(async (step) => {
      let count = 0;
      await this.scanMasters(step, pattern, async (keys) => {
        count += keys.filter((k) => this.layout.isEntry(k)).length;
      });
      return count;
    });
  }

  /** Invalidations recorded since `since` ("" when this instance has none yet). */
  readFence(since: string): Promise<Outcome<FenceReading>> {
    return this.call("fence", async () => {
      const reply = (await SCRIPTS.fenceRead.run(this.redis, [this.layout.fence], [since, MAX_REPLAY])) as string[];
      const epoch = reply[0] as string;
      if (reply.length === 1) return { epoch, change: "none" };
      if (reply[1] !== "replay") return { epoch, change: "gap" };
      const records: FenceRecord[] = [];
      for (let i = 2; i + 2 < reply.length; i += 3) {
        const invalidation = parseInvalidation(reply[i + 1], reply[i + 2]);
        // An entry this version cannot read may have invalidated anything.
        if (!invalidation) return { epoch, change: "gap" };
        records.push({ instance: reply[i] as string, invalidation });
      }
      return { epoch, change: "replay", records };
    });
  }

  /** Tries to take the stampede lock of `key`; resolves whether it was taken. */
  acquireLock(key: string, token: string, ttlMs: number): Promise<Outcome<boolean>> {
    return this.call("lock", async () => (await this.redis.set(this.layout.lock(key), token, "PX", ttlMs, "NX")) === "OK");
  }

  /** Releases the lock if `token` still holds it. */
  releaseLock(key: string, token: string): Promise<Outcome<boolean>> {
    return this.call("unlock", async () => (await SCRIPTS.unlock.run(this.redis, [this.layout.lock(key)], [token])) === 1);
  }

  publish(channel: string, message: string): Promise<Outcome<number>> {
    return this.call("publish", () => this.redis.publish(channel, message));
  }

  /** PING round trip in milliseconds, or undefined; not gated by the breaker (it is the breaker's probe). */
  async ping(): Promise<number | undefined> {
    if (this.unusable()) return undefined;
    const started = performance.now();
    try {
      await this.send("ping", () => this.redis.ping());
      const ms = performance.now() - started;
      this.options.onOperation("ping", ms / 1000);
      this.breaker.recordSuccess();
      return ms;
    } catch {
      return undefined;
    }
  }

  /** SCAN MATCH (never KEYS) over the single server, or over every master of a Cluster. */
  private async scanMasters(step: Step, pattern: string, onKeys: (keys: string[]) => Promise<void>): Promise<void> {
    const masters = this.cluster ? (this.redis as Cluster).nodes("master") : [this.redis as Redis];
    for (const node of masters) {
      let cursor = "0";
      do {
        const [next, keys] = await step("scan", () => node.scan(cursor, "MATCH", pattern, "COUNT", SCAN_COUNT));
        cursor = next;
        await onKeys(keys);
      } while (cursor !== "0");
    }
  }

  private async deleteBatch(step: Step, keys: readonly string[], recorded: Invalidation | undefined): Promise<number> {
    const args = [
      this.layout.tagPrefix,
      recorded ? this.options.instanceId : "",
      recorded?.kind ?? "",
      JSON.stringify(recorded?.items ?? []),
      FENCE_MAX_LENGTH,
    ];
    return (await step("del", () => SCRIPTS.deleteEntries.run(this.redis, [this.layout.fence, ...keys], args))) as number;
  }

  /** Cluster: deletes entries one by one (each carrying `tag`, if given) and removes them from their tag sets. */
  private async deleteEach(step: Step, keys: readonly string[], tag: string): Promise<number> {
    const deleted = await Promise.all(
      keys.map(async (key) => {
        const tags = await step("del", () => SCRIPTS.deleteEntry.run(this.redis, [key], [tag]));
        if (typeof tags !== "string") return 0;
        const others = (JSON.parse(tags) as string[]).filter((t) => t !== tag);
        await Promise.all(others.map((t) => step("del", () => this.redis.srem(this.layout.tag(t), key))));
        return 1;
      }),
    );
    return deleted.reduce<number>((sum, n) => sum + n, 0);
  }

  private async unlink(step: Step, keys: readonly string[]): Promise<number> {
    if (keys.length === 0) return 0;
    if (!this.cluster) return step("del", () => this.redis.unlink(...keys));
    const counts = await Promise.all(keys.map((key) => step("del", () => this.redis.unlink(key))));
    return counts.reduce((sum, n) => sum + n, 0);
  }

  private async recordedAround<T>(step: Step, invalidation: Invalidation, body: () => Promise<T>): Promise<T> {
    await this.record(step, invalidation.kind, invalidation.items);
    const result = await body();
    await this.record(step, invalidation.kind, invalidation.items);
    return result;
  }

  private record(step: Step, kind: InvalidationKind, items: readonly string[]): Promise<unknown> {
    const args = [this.options.instanceId, kind, JSON.stringify(items), FENCE_MAX_LENGTH];
    return step("invalidate", () => SCRIPTS.recordInvalidation.run(this.redis, [this.layout.fence], args));
  }

  /**
   * One guarded call: skipped while the breaker is open, failed fast while disconnected or stalled, raced with the
   * timeout. One promise per call, settled by the reply or the deadline, whichever comes first (an L2 hit is short
   * enough for each extra promise and await to be a visible share of it). A call that times out is watched until
   * Redis answers it.
   */
  private call<T>(operation: string, send: () => Promise<T>): Promise<Outcome<T>> {
    const ticket = this.breaker.tryCall();
    // Reads give these up as a BYPASS (never thrown), one per read while Redis is away or slow: no stack to capture.
    if (ticket === undefined) return Promise.resolve({ ok: false, error: withoutStack(() => new CacheUnavailableError(operation)) });
    if (this.unusable())
      return Promise.resolve(
        this.failed(
          operation,
          ticket,
          withoutStack(() => new CacheUnavailableError(operation)),
        ),
      );
    const started = performance.now();
    let sent: Promise<T>;
    try {
      sent = send();
    } catch (error) {
      return Promise.resolve(this.failed(operation, ticket, error));
    }
    return new Promise((resolve) => {
      const deadline = this.deadlines.watch(() => {
        const timeout = withoutStack(() => new CacheTimeoutError(operation, this.options.timeoutMs));
        // Before the caller learns of the timeout, so that the guard is up when it does.
        this.stall.track(sent);
        resolve(this.failed(operation, ticket, timeout));
      });
      sent.then(
        (value) => {
          if (!deadline.settle()) return;
          this.options.onOperation(operation, (performance.now() - started) / 1000);
          this.breaker.recordSuccess();
          resolve({ ok: true, value });
        },
        (error: unknown) => {
          if (deadline.settle()) resolve(this.failed(operation, ticket, error));
        },
      );
    });
  }

  /** Known down, or stalled: a command sent now would not be answered within its timeout. */
  private unusable(): boolean {
    return DOWN.has(this.redis.status) || this.stall.stalled;
  }

  /** Sends a command raced with the timeout; one that times out is watched until Redis answers it. */
  private send<T>(operation: string, command: () => Promise<T>): Promise<T> {
    const sent = command();
    return this.deadlines.race(sent, () => {
      // Before the caller learns of the timeout, so that the guard is up when it does.
      this.stall.track(sent);
      return withoutStack(() => new CacheTimeoutError(operation, this.options.timeoutMs));
    });
  }

  private failed(operation: string, ticket: number, error: unknown): Outcome<never> {
    this.breaker.recordFailure(ticket);
    this.options.onError(operation, error);
    return { ok: false, error };
  }

  /** Several guarded calls as one outcome: the first failure ends the sequence. */
  private async sequence<T>(body: (step: Step) => Promise<T>): Promise<Outcome<T>> {
    const step: Step = async (operation, send) => {
      const outcome = await this.call(operation, send);
      if (!outcome.ok) throw new StepFailure("step failed", { cause: outcome.error });
      return outcome.value;
    };
    try {
      return { ok: true, value: await body(step) };
    } catch (error) {
      if (error instanceof StepFailure) return { ok: false, error: error.cause };
      this.options.onError("internal", error);
      return { ok: false, error };
    }
  }
}
