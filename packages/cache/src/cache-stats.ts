import type { CacheHooks } from "./cache-options.js";

/** Counters of one key type. */
export interface KeyTypeStats {
  hits: number;
  misses: number;
  staleHits: number;
  sets: number;
}

/** A snapshot of the cache's counters since it was created. */
export interface CacheStats {
  enabled: boolean;
  /** Redis answers and the breaker is closed. */
  connected: boolean;
  hits: number;
  misses: number;
  staleHits: number;
  sets: number;
  errors: number;
  /** Calls answered without the cache (disabled, or Redis unavailable). */
  bypasses: number;
  /** (hits + staleHits) / (hits + staleHits + misses), 0 before any. */
  hitRate: number;
  byKeyType: Record<string, KeyTypeStats>;
  l1: { entries: number; bytes: number };
}

type Counters = Omit<CacheStats, "enabled" | "connected" | "l1" | "hitRate" | "byKeyType">;

/** Counts outcomes per key type and forwards them to the hooks; a throwing hook never breaks a cache call. */
export class StatsRecorder {
  private readonly counters: Counters = { hits: 0, misses: 0, staleHits: 0, sets: 0, errors: 0, bypasses: 0 };
  private readonly byKeyType = new Map<string, KeyTypeStats>();

  constructor(private readonly hooks: CacheHooks = {}) {}

  hit(keyType: string, tier: "l1" | "l2"): void {
    this.counters.hits++;
    this.forKeyType(keyType).hits++;
    const onHit = this.hooks.onHit;
    if (onHit) this.notify(onHit, keyType, tier);
  }

  miss(keyType: string): void {
    this.counters.misses++;
    this.forKeyType(keyType).misses++;
    const onMiss = this.hooks.onMiss;
    if (onMiss) this.notifyOne(onMiss, keyType);
  }

  staleHit(keyType: string): void {
    this.counters.staleHits++;
    this.forKeyType(keyType).staleHits++;
    const onStaleHit = this.hooks.onStaleHit;
    if (onStaleHit) this.notifyOne(onStaleHit, keyType);
  }

  set(keyType: string): void {
    this.counters.sets++;
    this.forKeyType(keyType).sets++;
    const onSet = this.hooks.onSet;
    if (onSet) this.notifyOne(onSet, keyType);
  }

  bypass(): void {
    this.counters.bypasses++;
  }

  error(operation: string, error: unknown): void {
    this.counters.errors++;
    const onError = this.hooks.onError;
    if (onError) this.notify(onError, operation, error);
  }

  operation(operation: string, seconds: number): void {
    const onOperation = this.hooks.onOperation;
    if (onOperation) this.notify(onOperation, operation, seconds);
  }

  invalidation(reason: "key" | "tag" | "pattern" | "flush" | "remote", keys: number): void {
    const onInvalidation = this.hooks.onInvalidation;
    if (onInvalidation) this.notify(onInvalidation, reason, keys);
  }

  snapshot(): Omit<CacheStats, "enabled" | "connected" | "l1"> {
    const { hits, misses, staleHits } = this.counters;
    const served = hits + staleHits + misses;
    const byKeyType: Record<string, KeyTypeStats> = {};
    for (const [keyType, stats] of this.byKeyType) byKeyType[keyType] = { ...stats };
    return { ...this.counters, hitRate: served === 0 ? 0 : (hits + staleHits) / served, byKeyType };
  }

  private forKeyType(keyType: string): KeyTypeStats {
    let stats = this.byKeyType.get(keyType);
    if (!stats) this.byKeyType.set(keyType, (stats = { hits: 0, misses: 0, staleHits: 0, sets: 0 }));
    return stats;
  }

  // Hooks are called with their own arguments, not through a closure: this runs on every hit.
  private notifyOne<A>(hook: (a: A) => void, a: A): void {
    try {
      hook.call(this.hooks, a);
    } catch {
      // Metrics must never fail a cache call.
    }
  }

  private notify<A, B>(hook: (a: A, b: B) => void, a: A, b: B): void {
    try {
      hook.call(this.hooks, a, b);
    } catch {
      // Metrics must never fail a cache call.
    }
  }
}
