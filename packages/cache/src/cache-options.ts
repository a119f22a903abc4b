import type { Cluster, Redis } from "ioredis";

/** How long one entry is fresh, stale and kept for errors, and which tags invalidate it. */
export interface CacheSetOptions {
  /** Seconds the entry is fresh (served as HIT). */
  ttl: number;
  /** Tags that `invalidateTags` deletes the entry by, e.g. `user:<id>`, `scan:<id>`, `pkg:npm/lodash`. */
  tags?: string[];
  /** Seconds after `ttl` during which the entry is served STALE while one refresh runs (default 0). */
  grace?: number;
  /** Seconds after `ttl` during which the entry is served STALE if the loader throws (default `grace`). */
  staleIfError?: number;
}

/**
 * `getOrLoad`'s options: those of `set`, plus what depends on the loaded value. Both are applied to the
 * value the loader returned, when it is written.
 *
 * @example
 * // A result is tagged with the packages it mentions; "not found" is not cached at all.
 * { ttl: 3600, tagsOf: (result) => result?.tags ?? [], ttlOf: (result) => (result ? 3600 : 0) }
 */
export interface CacheLoadOptions<T> extends CacheSetOptions {
  /** Tags added to `tags`, from the loaded value. */
  tagsOf?: (value: T) => string[];
  /** Seconds the loaded value is fresh, replacing `ttl`; 0 returns the value without caching it. */
  ttlOf?: (value: T) => number;
}

/** Callbacks for metrics; the cache never imports a metrics library itself. Hooks must not throw. */
export interface CacheHooks {
  onHit?(keyType: string, tier: "l1" | "l2"): void;
  onMiss?(keyType: string): void;
  onStaleHit?(keyType: string): void;
  onSet?(keyType: string): void;
  /** A Redis call failed or timed out, an entry was corrupt, or a loader failure was hidden by a stale entry. */
  onError?(operation: string, error: unknown): void;
  /** Latency of each Redis operation (get, set, del, invalidate, lock, unlock, scan, fence, publish, ttl, ping). */
  onOperation?(operation: string, seconds: number): void;
  /** Entries dropped: `keys` is the L2 count for local invalidations, the L1 count for `remote` ones. */
  onInvalidation?(reason: "key" | "tag" | "pattern" | "flush" | "remote", keys: number): void;
}

/** Bounds of the in-process tier. */
export interface L1Options {
  /** Most entries kept (default 10,000). */
  maxEntries?: number;
  /** Most bytes kept, counted as the length of each entry's serialized JSON (default 64 MiB). */
  maxBytes?: number;
  /** Longest an entry stays in L1 before it is read from Redis again (default 60 s). */
  maxTtlMs?: number;
}

/** Failures in a row that open the circuit breaker, and how long it stays open before a probe. */
export interface BreakerOptions {
  /** Failed Redis calls in a row that open the breaker (default 3; calls that fail together count once). */
  failureThreshold?: number;
  /** Milliseconds the breaker stays open before a PING probes Redis (default 1000). */
  cooldownMs?: number;
}

/** Everything `new Cache()` takes; only `redis` is required. */
export interface CacheOptions {
  /** Command connection (standalone or Cluster), owned by the caller. */
  redis: Redis | Cluster;
  /** Connection for SUBSCRIBE, owned by the caller (default: `redis.duplicate()`, owned and closed by the cache). */
  subscriber?: Redis | Cluster;
  /** Namespace of every key (default "secapi"); keys passed in are full keys such as "secapi:scan:<id>". */
  prefix?: string;
  /** `false`: every call bypasses the cache (the loader runs, status BYPASS). */
  enabled?: boolean;
  /** Bounds of the in-process tier; `false` disables it. */
  l1?: L1Options | false;
  /** Timeout of each Redis call in milliseconds (default 50). */
  timeoutMs?: number;
  /**
   * Longest time an L1 may keep serving an entry after its invalidation was committed in Redis, even if the
   * pub/sub message is lost (default 100 ms). Keep it well above `timeoutMs`: a fence read slower than
   * `fenceMs` confirms nothing, and L1 reads bypass until one is faster.
   */
  fenceMs?: number;
  /** Lifetime of the stampede lock, in milliseconds: longer than a normal load (default 5000). */
  lockTtlMs?: number;
  /** How long other callers wait for the lock holder's value before loading themselves (default 2000). */
  lockWaitMs?: number;
  /** Circuit breaker tuning. */
  breaker?: BreakerOptions;
  /** The key type stats are counted by (default: the segment after the prefix: "result", "scan", "user", "auth"). */
  keyType?: (key: string) => string;
  hooks?: CacheHooks;
  /** Wall clock for entry lifetimes, in epoch milliseconds (default `Date.now`); fences and breakers use a monotonic clock. */
  clock?: () => number;
  logger?: { warn(obj: object, msg: string): void };
}

/** Where a value came from: HIT (fresh, L1 or L2), STALE (grace or stale-if-error), MISS (loaded), BYPASS (cache off or Redis unavailable). */
export type CacheStatus = "HIT" | "MISS" | "STALE" | "BYPASS";

/** A value with the status that explains it (for `X-Cache-Status`). */
export interface CacheResult<T> {
  value: T;
  status: CacheStatus;
}
