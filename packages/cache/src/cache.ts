import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import {
  type CacheEntry,
  createEntry,
  decodeEntry,
  decodeEntryLifetimes,
  encodeEntry,
  entryExpiresAt,
  entryState,
  optionsFor,
  validateSetOptions,
} from "./cache-entry.js";
import type { CacheLoadOptions, CacheOptions, CacheResult, CacheSetOptions, CacheStatus } from "./cache-options.js";
import { type CacheStats, StatsRecorder } from "./cache-stats.js";
import { CacheOptionsError } from "./errors/cache-options-error.js";
import { CacheUnavailableError } from "./errors/cache-unavailable-error.js";
import { Fence } from "./fence.js";
import type { Invalidation } from "./invalidation.js";
import { InvalidationBus } from "./invalidation-bus.js";
import { KeyLayout } from "./key-layout.js";
import { MemoryStore } from "./memory-store.js";
import { type Outcome, RedisStore } from "./redis-store.js";
import { whenReady } from "./when-ready.js";

const DEFAULTS = {
  prefix: "secapi",
  timeoutMs: 50,
  fenceMs: 100,
  lockTtlMs: 5000,
  lockWaitMs: 2000,
  maxEntries: 10_000,
  maxBytes: 64 * 1024 * 1024,
  maxTtlMs: 60_000,
  failureThreshold: 3,
  cooldownMs: 1000,
};

/** Longest `start()` waits for a connection that is still coming up before reading the fence. */
const START_WAIT_MS = 1000;

/** First and longest pause of a stampede follower between looks at the key (a fill notice ends it early). */
const FOLLOWER_POLL_MS = { first: 5, max: 50 };

const monotonic = () => performance.now();

/** A result with the tier a HIT came from, before it is counted and handed out. */
type Served<T> = CacheResult<T> & { tier?: "l1" | "l2" };

/** What a load under the stampede lock carries along. */
interface LoadContext<T> {
  /** Fence epoch before the load began: the write is refused if an invalidation concerning it came after. */
  since: string;
  /** L1 generation before the value was read: the L1 fill is refused likewise. */
  generation: number;
  /** An expired entry still within stale-if-error, served if the loader throws. */
  fallback: CacheEntry<T> | undefined;
  /** A background refresh: accepts only fresh values and gives up (rather than loads) when the wait runs out. */
  background: boolean;
}

const UNCONFIRMED = Symbol("unconfirmed");

/**
 * A two-tier cache: a bounded in-process LRU (L1) in front of Redis (L2), with tags, cross-instance
 * invalidation bounded by a fence, one loader per missing key across all processes, stale-while-revalidate
 * and stale-if-error, and a timeout and circuit breaker on every Redis call.
 *
 * @example
 * const cache = new Cache({ redis, hooks: metricsHooks });
 * await cache.start();
 * const { value, status } = await cache.getOrLoad(`secapi:scan:${id}`, () => findScanWithResult(db, id), { ttl: 60, grace: 30, tags: [`scan:${id}`] });
 * await cache.invalidateTags([`scan:${id}`]);
 */
export class Cache {
  private readonly enabled: boolean;
  private readonly layout: KeyLayout;
  private readonly clock: () => number;
  private readonly keyTypeOf: (key: string) => string;
  private readonly lockTtlMs: number;
  private readonly lockWaitMs: number;
  private readonly instanceId = randomBytes(8).toString("hex");
  private readonly memory: MemoryStore;
  private readonly redis: CacheOptions["redis"];
  private readonly store: RedisStore;
  private readonly fence: Fence;
  private readonly bus: InvalidationBus;
  private readonly recorder: StatsRecorder;
  private readonly inflight = new Map<string, Promise<Served<unknown>>>();
  private readonly refreshing = new Set<string>();
  private readonly background = new Set<Promise<unknown>>();
  private lockCount = 0;
  private closed = false;

  constructor(options: CacheOptions) {
    const timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    const fenceMs = options.fenceMs ?? DEFAULTS.fenceMs;
    for (const [name, value] of Object.entries({ timeoutMs, fenceMs, lockTtlMs: options.lockTtlMs, lockWaitMs: options.lockWaitMs })) {
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new CacheOptionsError(`${name} must be a positive number of milliseconds`);
    }
    this.enabled = options.enabled ?? true;
    this.layout = new KeyLayout(options.prefix ?? DEFAULTS.prefix);
    this.clock = options.clock ?? Date.now;
    this.keyTypeOf = options.keyType ?? ((key) => this.layout.keyType(key));
    this.lockTtlMs = options.lockTtlMs ?? DEFAULTS.lockTtlMs;
    this.lockWaitMs = options.lockWaitMs ?? DEFAULTS.lockWaitMs;
    this.recorder = new StatsRecorder(options.hooks);
    const l1 = options.l1 === false ? { maxEntries: 0 } : (options.l1 ?? {});
    this.memory = new MemoryStore({
      maxEntries: l1.maxEntries ?? DEFAULTS.maxEntries,
      maxBytes: l1.maxBytes ?? DEFAULTS.maxBytes,
      maxTtlMs: l1.maxTtlMs ?? DEFAULTS.maxTtlMs,
    });
    const logger = options.logger;
    this.redis = options.redis;
    this.store = new RedisStore({
      redis: options.redis,
      layout: this.layout,
      instanceId: this.instanceId,
      timeoutMs,
      failureThreshold: options.breaker?.failureThreshold ?? DEFAULTS.failureThreshold,
      cooldownMs: options.breaker?.cooldownMs ?? DEFAULTS.cooldownMs,
      onOperation: (operation, seconds) => this.recorder.operation(operation, seconds),
      onError: (operation, error) => this.recorder.error(operation, error),
      onBreakerChange: (state) => {
        if (state === "open")
          logger?.warn({ prefix: this.layout.prefix }, "cache Redis unavailable: bypassing the cache until it answers again");
        if (state === "closed") logger?.warn({ prefix: this.layout.prefix }, "cache Redis answers again: caching resumed");
      },
    });
    this.fence = new Fence({
      fenceMs,
      instanceId: this.instanceId,
      now: monotonic,
      read: (since) => this.store.readFence(since),
      apply: (invalidation) => this.applyRemote(invalidation),
      clear: () => this.applyRemote({ kind: "flush", items: [] }),
    });
    const ownsSubscriber = !options.subscriber;
    this.bus = new InvalidationBus({
      subscriber: options.subscriber ?? options.redis.duplicate(),
      ownsSubscriber,
      layout: this.layout,
      store: this.store,
      instanceId: this.instanceId,
      onInvalidation: (invalidation) => this.applyRemote(invalidation),
      logger,
    });
  }

  /** Connects the invalidation subscriber and reads the fence; resolves even if Redis is down (it keeps retrying). */
  async start(): Promise<void> {
    if (!this.enabled) return;
    await Promise.all([this.bus.start(), whenReady(this.redis, START_WAIT_MS).then(() => this.fence.refresh())]);
  }

  /**
   * The cached value of `key`, or the loader's (run once across all instances for a missing key, the
   * others waiting up to `lockWaitMs`). Never throws on Redis trouble: it answers BYPASS with the loader's
   * value. Throws what the loader throws, unless a stale-if-error entry can be served instead.
   */
  async getOrLoad<T>(key: string, loader: () => Promise<T>, options: CacheLoadOptions<T>): Promise<CacheResult<T>> {
    this.layout.assertEntryKey(key);
    validateSetOptions(options);
    const keyType = this.keyTypeOf(key);
    if (!this.enabled) return this.count(keyType, await this.bypass(loader));
    const now = this.clock();
    // Not awaited when L1 has nothing: an await costs an L2 hit a turn of the microtask queue.
    const l1 = this.readL1(key, now);
    const cached = l1 instanceof Promise ? await l1 : l1;
    if (cached === UNCONFIRMED) return this.count(keyType, await this.bypass(loader));
    if (cached) {
      const state = entryState(cached, now);
      if (state === "stale") this.refreshInBackground(key, loader, options);
      if (state === "fresh" || state === "stale") return this.count(keyType, this.served(cached as CacheEntry<T>, state, "l1"));
    }
    const loading = this.inflight.get(key) as Promise<Served<T>> | undefined;
    if (loading) return this.count(keyType, await loading);
    // Nothing loads the key here: read L2 without registering a shared load, which only a miss needs. A caller
    // whose read was in flight when a miss registered one joins it below (replies come in order, so before it ends).
    const generation = this.memory.generation;
    // Both go out at once; the fence epoch is needed only if the key must be loaded.
    const confirmed = this.fence.ensure();
    const got = await this.store.get(key);
    const usable = got.ok && (confirmed === true || (await confirmed));
    const found = usable ? this.decode<T>(key, got.value) : undefined;
    if (found) {
      const state = entryState(found.entry, this.clock());
      if (state === "fresh") {
        this.fillL1(key, found, generation);
        this.recorder.hit(keyType, "l2");
        return { value: found.entry.value, status: "HIT" };
      }
      if (state === "stale") {
        this.fillL1(key, found, generation);
        this.refreshInBackground(key, loader, options);
        this.recorder.staleHit(keyType);
        return { value: found.entry.value, status: "STALE" };
      }
    }
    let pending = this.inflight.get(key) as Promise<Served<T>> | undefined;
    if (!pending) {
      pending = this.loadAfterMiss(key, loader, options, usable, generation, found?.entry);
      this.inflight.set(key, pending);
    }
    return this.count(keyType, await pending);
  }

  /** The cached value (fresh: HIT, within grace: STALE), or undefined (MISS; BYPASS when Redis is unavailable). */
  async get<T>(key: string): Promise<{ value: T | undefined; status: CacheStatus }> {
    this.layout.assertEntryKey(key);
    const keyType = this.keyTypeOf(key);
    const missing = (status: CacheStatus) => this.count(keyType, { value: undefined, status });
    if (!this.enabled) return missing("BYPASS");
    const now = this.clock();
    const l1 = this.readL1(key, now);
    const cached = l1 instanceof Promise ? await l1 : l1;
    if (cached === UNCONFIRMED) return missing("BYPASS");
    const cachedState = cached && entryState(cached, now);
    if (cached && (cachedState === "fresh" || cachedState === "stale"))
      return this.count(keyType, this.served(cached as CacheEntry<T>, cachedState, "l1"));
    const generation = this.memory.generation;
    const got = await this.store.get(key);
    if (!got.ok) return missing("BYPASS");
    const found = this.decode<T>(key, got.value);
    const state = found && entryState(found.entry, this.clock());
    if (!found || (state !== "fresh" && state !== "stale")) return missing("MISS");
    this.fillL1(key, found, generation);
    return this.count(keyType, this.served(found.entry, state, "l2"));
  }

  /**
   * Stores a value in both tiers and makes every other instance drop its L1 copy. Resolves false when it
   * could not be written (Redis unavailable, cache disabled, value without a JSON form); never throws on Redis trouble.
   */
  async set<T>(key: string, value: T, options: CacheSetOptions): Promise<boolean> {
    this.layout.assertEntryKey(key);
    validateSetOptions(options);
    if (!this.enabled) return false;
    const invalidation: Invalidation = { kind: "key", items: [key] };
    this.memory.invalidate(invalidation);
    const written = await this.write(key, value, options, { generation: this.memory.generation, record: true });
    if (written) await this.bus.publishInvalidation(invalidation);
    return written;
  }

  /**
   * Loads `key` afresh and stores the value like `set` (every other instance drops its L1 copy), unless an
   * invalidation that may concern it was committed while it loaded: then nothing is written, and the next
   * read loads again. For warmers and reloads, which otherwise could put back a value a concurrent
   * mutation had just invalidated. Resolves the loaded value and whether it was written; never throws on
   * Redis trouble (not written), throws what the loader throws.
   */
  async refresh<T>(key: string, loader: () => Promise<T>, options: CacheLoadOptions<T>): Promise<{ value: T; written: boolean }> {
    this.layout.assertEntryKey(key);
    validateSetOptions(options);
    if (!this.enabled) return { value: await loader(), written: false };
    const generation = this.memory.generation;
    const confirmed = await this.fence.ensure();
    const since = this.fence.lastEpoch;
    const value = await loader();
    const writeOptions = optionsFor(options, value);
    if (!confirmed || since === undefined || !writeOptions) return { value, written: false };
    const written = await this.write(key, value, writeOptions, { since, generation, record: true });
    if (written) await this.bus.publishInvalidation({ kind: "key", items: [key] });
    return { value, written };
  }

  /**
   * Deletes entries from L2, this L1 and (by message, bounded by the fence) every other L1; resolves how
   * many existed in L2. Throws `CacheUnavailableError` if Redis could not be reached, so that the caller
   * can retry the invalidation.
   */
  async delete(...keys: string[]): Promise<number> {
    for (const key of keys) this.layout.assertEntryKey(key);
    if (!this.enabled || keys.length === 0) return 0;
    return this.invalidate("delete", { kind: "key", items: keys }, () => this.store.deleteKeys(keys));
  }

  /**
   * Deletes exactly the entries carrying any of `tags`, everywhere (L2 and every instance's L1), and their
   * tag sets; resolves how many entries were deleted. Throws `CacheUnavailableError` if Redis could not be reached.
   */
  async invalidateTags(tags: string[]): Promise<number> {
    validateSetOptions({ ttl: 1, tags });
    if (!this.enabled || tags.length === 0) return 0;
    return this.invalidate("invalidateTags", { kind: "tag", items: tags }, () => this.store.invalidateTags(tags));
  }

  /**
   * Deletes the entries whose keys match a Redis glob under the prefix, found by SCAN (never KEYS) on every
   * master of a Cluster. Throws `CacheUnavailableError` if Redis could not be reached.
   */
  async deleteByPattern(pattern: string): Promise<number> {
    this.layout.assertEntryKey(pattern);
    if (!this.enabled) return 0;
    return this.invalidate("deleteByPattern", { kind: "pattern", items: [pattern] }, () => this.store.deleteMatching(pattern, "pattern"));
  }

  /** Deletes every entry and tag set under the prefix (SCAN-based, never FLUSHDB). Throws `CacheUnavailableError` if Redis could not be reached. */
  async flush(): Promise<number> {
    if (!this.enabled) return 0;
    return this.invalidate("flush", { kind: "flush", items: [] }, () => this.store.deleteMatching(this.everything(), "flush"));
  }

  /** Number of entries under the prefix, counted with SCAN on every master (for `GET /cache/keys`); undefined if Redis does not answer. */
  async countKeys(): Promise<number | undefined> {
    if (!this.enabled) return undefined;
    const counted = await this.store.countEntries(this.everything());
    return counted.ok ? counted.value : undefined;
  }

  /** Seconds until an L2 entry stops being fresh (0 once stale), or -2 if missing, unreadable or Redis is unavailable (for warming near-expiry keys). */
  async ttl(key: string): Promise<number> {
    this.layout.assertEntryKey(key);
    if (!this.enabled) return -2;
    const got = await this.store.get(key, "ttl");
    if (!got.ok || got.value === null) return -2;
    try {
      const { freshUntil } = decodeEntryLifetimes(key, got.value);
      return Math.max(0, Math.ceil((freshUntil - this.clock()) / 1000));
    } catch {
      return -2;
    }
  }

  /** Counters since creation, per key type, and the size of L1. */
  stats(): CacheStats {
    return {
      enabled: this.enabled,
      connected: this.enabled && this.store.connected,
      ...this.recorder.snapshot(),
      l1: { entries: this.memory.entries, bytes: this.memory.bytes },
    };
  }

  /** Round-trip time of a PING in milliseconds, or undefined if Redis does not answer. */
  async ping(): Promise<number | undefined> {
    return this.enabled ? this.store.ping() : undefined;
  }

  /** Unsubscribes (disconnecting the subscriber if the cache created it) and waits for background refreshes. The command connection stays the caller's. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.bus.close();
    await Promise.allSettled([...this.background]);
  }

  /** The L1 entry of `key` if it may be served: present, and the fence confirmed within `fenceMs`. */
  private readL1(
    key: string,
    now: number,
  ): CacheEntry | undefined | typeof UNCONFIRMED | Promise<CacheEntry | undefined | typeof UNCONFIRMED> {
    const entry = this.memory.get(key, now);
    if (!entry) return undefined;
    const confirmed = this.fence.ensure();
    if (typeof confirmed === "boolean") return confirmed ? entry : UNCONFIRMED;
    // The fence read may just have dropped it.
    return confirmed.then((ok) => (ok ? this.memory.get(key, now) : UNCONFIRMED));
  }

  /**
   * The shared load of `key` for getOrLoad after a read of L2 that found nothing to serve (`usable`: Redis and the
   * fence answered), in `inflight` until it settles (it awaits before settling, so getOrLoad has put it there by
   * then). Cleared here rather than by a `.finally`, which would cost a promise.
   */
  private async loadAfterMiss<T>(
    key: string,
    loader: () => Promise<T>,
    options: CacheLoadOptions<T>,
    usable: boolean,
    generation: number,
    fallback: CacheEntry<T> | undefined,
  ): Promise<Served<T>> {
    try {
      if (!usable) return await this.bypass(loader);
      const since = this.fence.lastEpoch as string;
      return (await this.loadUnderLock(key, loader, options, { since, generation, fallback, background: false })) as Served<T>;
    } finally {
      this.inflight.delete(key);
    }
  }

  /**
   * Takes the stampede lock and loads, or waits for the holder's value: woken by its "filled" notice or
   * by polling with back-off, taking the lock over if it is released without a value, and loading without
   * it once `lockWaitMs` has passed. Resolves undefined only for a background refresh that gave up.
   */
  private async loadUnderLock<T>(
    key: string,
    loader: () => Promise<T>,
    options: CacheLoadOptions<T>,
    context: LoadContext<T>,
  ): Promise<Served<T> | undefined> {
    const token = `${this.instanceId}:${++this.lockCount}`;
    const deadline = monotonic() + this.lockWaitMs;
    let pause = FOLLOWER_POLL_MS.first;
    for (;;) {
      const locked = await this.store.acquireLock(key, token, this.lockTtlMs);
      if (!locked.ok) return context.background ? undefined : this.bypass(loader);
      if (locked.value) return this.loadAsHolder(key, loader, options, context, token);
      const left = deadline - monotonic();
      if (left <= 0) break;
      await this.bus.waitForFill(key, Math.min(pause, left));
      pause = Math.min(pause * 2, FOLLOWER_POLL_MS.max);
      const found = await this.lookAgain(key, context);
      if (found === UNCONFIRMED) return context.background ? undefined : this.bypass(loader);
      if (found) return found;
    }
    // The holder is slow or gone: a bounded wait, then load rather than keep the caller waiting.
    return context.background ? undefined : this.loadAndWrite(key, loader, options, context);
  }

  private async loadAsHolder<T>(
    key: string,
    loader: () => Promise<T>,
    options: CacheLoadOptions<T>,
    context: LoadContext<T>,
    token: string,
  ): Promise<Served<T> | undefined> {
    try {
      // Another holder may have filled the key between our first look and taking the lock.
      const found = await this.lookAgain(key, context);
      if (found === UNCONFIRMED) return context.background ? undefined : this.bypass(loader);
      if (found) return found;
      const result = await this.loadAndWrite(key, loader, options, context);
      if (result.written) await this.bus.publishFilled(key);
      return result;
    } finally {
      this.track(this.store.releaseLock(key, token));
    }
  }

  /** Reads L2 again while under or waiting for the lock: a value acceptable for this load, or undefined. */
  private async lookAgain<T>(key: string, context: LoadContext<T>): Promise<Served<T> | undefined | typeof UNCONFIRMED> {
    const generation = this.memory.generation;
    const got = await this.store.get(key);
    if (!got.ok) return UNCONFIRMED;
    const found = this.decode<T>(key, got.value);
    if (!found) return undefined;
    const state = entryState(found.entry, this.clock());
    if (state === "fresh" || (state === "stale" && !context.background)) {
      this.fillL1(key, found, generation);
      return this.served(found.entry, state, "l2");
    }
    if (state === "error-only") context.fallback = found.entry;
    return undefined;
  }

  private async loadAndWrite<T>(
    key: string,
    loader: () => Promise<T>,
    options: CacheLoadOptions<T>,
    context: LoadContext<T>,
  ): Promise<Served<T> & { written?: boolean }> {
    let value: T;
    try {
      value = await loader();
    } catch (error) {
      const fallback = this.staleIfError(key, context.fallback);
      if (!fallback) throw error;
      this.recorder.error("loader", error);
      return { value: fallback.value, status: "STALE" };
    }
    const writeOptions = optionsFor(options, value);
    if (!writeOptions) return { value, status: "MISS", written: false };
    const written = await this.write(key, value, writeOptions, { since: context.since, generation: context.generation, record: false });
    return { value, status: "MISS", written };
  }

  /** An entry within its stale-if-error period: the one L2 just returned, else this L1's while the fence holds. */
  private staleIfError<T>(key: string, fromL2: CacheEntry<T> | undefined): CacheEntry<T> | undefined {
    const now = this.clock();
    const candidates = [fromL2, this.fence.isConfirmed() ? (this.memory.get(key, now) as CacheEntry<T> | undefined) : undefined];
    return candidates.find((entry) => entry !== undefined && now < entry.errorUntil);
  }

  /** One background refresh per key per process; across processes the stampede lock keeps it to one. */
  private refreshInBackground<T>(key: string, loader: () => Promise<T>, options: CacheLoadOptions<T>): void {
    if (this.refreshing.has(key) || this.closed) return;
    this.refreshing.add(key);
    const refresh = async () => {
      const generation = this.memory.generation;
      if (!(await this.fence.ensure())) return;
      const since = this.fence.lastEpoch as string;
      await this.loadUnderLock(key, loader, options, { since, generation, fallback: undefined, background: true });
    };
    this.track(
      refresh()
        .catch((error: unknown) => this.recorder.error("refresh", error))
        .finally(() => this.refreshing.delete(key)),
    );
  }

  /** Writes both tiers; L1 only if L2 accepted the write and no invalidation concerning it reached L1 meanwhile. */
  private async write<T>(
    key: string,
    value: T,
    options: CacheSetOptions,
    how: { since?: string; generation: number; record: boolean },
  ): Promise<boolean> {
    const now = this.clock();
    const entry = createEntry(value, options, now);
    let payload: string | undefined;
    try {
      payload = encodeEntry(entry);
    } catch (error) {
      this.recorder.error("serialize", error);
      return false;
    }
    if (payload === undefined) return false;
    const written = await this.store.write({
      key,
      payload,
      tags: entry.tags,
      lifetimeMs: entryExpiresAt(entry) - now,
      since: how.since,
      record: how.record,
    });
    if (!written.ok || !written.value) return false;
    this.recorder.set(this.keyTypeOf(key));
    // L1 keeps the JSON round trip, so an L1 hit returns exactly what an L2 hit would.
    this.memory.set(key, decodeEntry(key, payload), payload.length, this.clock(), how.generation);
    return true;
  }

  /** Applies an invalidation to this L1 before and after Redis runs it, then tells the other instances. */
  private async invalidate(operation: string, invalidation: Invalidation, run: () => Promise<Outcome<number>>): Promise<number> {
    // Before: no fill started from now on can bring the old value back (the generation moved). After:
    // drops what a fill answered by Redis before the delete put back in the meantime.
    this.memory.invalidate(invalidation);
    const outcome = await run();
    this.memory.invalidate(invalidation);
    if (!outcome.ok) throw new CacheUnavailableError(operation, { cause: outcome.error });
    // Our own invalidation is in the fence history now; until this instance's epoch passes it, every
    // load it starts would be refused its write as possibly stale.
    await Promise.all([this.bus.publishInvalidation(invalidation), this.fence.readAfterNow()]);
    this.recorder.invalidation(invalidation.kind, outcome.value);
    return outcome.value;
  }

  /** The SCAN pattern of every key under the prefix. */
  private everything(): string {
    return `${this.layout.prefix.replace(/[*?[\]\\]/g, "\\$&")}:*`;
  }

  private applyRemote(invalidation: Invalidation): void {
    const dropped = this.memory.invalidate(invalidation);
    if (dropped > 0) this.recorder.invalidation("remote", dropped);
  }

  /** Parses an L2 value; a corrupt one is counted as an error, deleted in the background and treated as missing. */
  private decode<T>(key: string, raw: string | null): { entry: CacheEntry<T>; size: number } | undefined {
    if (raw === null) return undefined;
    try {
      return { entry: decodeEntry<T>(key, raw), size: raw.length };
    } catch (error) {
      this.recorder.error("decode", error);
      this.track(this.store.deleteKeys([key], false));
      return undefined;
    }
  }

  private fillL1(key: string, found: { entry: CacheEntry; size: number }, generation: number): void {
    this.memory.set(key, found.entry, found.size, this.clock(), generation);
  }

  private served<T>(entry: CacheEntry<T>, state: "fresh" | "stale", tier: "l1" | "l2"): Served<T> {
    return state === "fresh" ? { value: entry.value, status: "HIT", tier } : { value: entry.value, status: "STALE" };
  }

  private async bypass<T>(loader: () => Promise<T>): Promise<Served<T>> {
    return { value: await loader(), status: "BYPASS" };
  }

  /** Counts one caller's outcome (callers sharing one load each count) and strips internal fields. */
  private count<R extends { status: CacheStatus; value: unknown; tier?: "l1" | "l2" }>(
    keyType: string,
    result: R,
  ): { value: R["value"]; status: CacheStatus } {
    if (result.status === "HIT") this.recorder.hit(keyType, result.tier ?? "l2");
    else if (result.status === "STALE") this.recorder.staleHit(keyType);
    else if (result.status === "MISS") this.recorder.miss(keyType);
    else this.recorder.bypass();
    return { value: result.value, status: result.status };
  }

  private track(promise: Promise<unknown>): void {
    this.background.add(promise);
    const settled = () => this.background.delete(promise);
    promise.then(settled, settled);
  }
}
