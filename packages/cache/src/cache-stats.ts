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
    this.notify(() => this.hooks.onHit?.(keyType, tier));
  }

  miss(keyType: string): void {
    this.counters.misses++;
    this.forKeyType(keyType).misses++;
    this.notify(() => this.hooks.onMiss?.(keyType));
  }

  staleHit(keyType: string): void {
    this.counters.staleHits++;
    this.forKeyType(keyType).staleHits++;
    this.notify(() => this.hooks.onStaleHit?.(keyType));
  }

  set(keyType: string): void {
    this.counters.sets++;
    this.forKeyType(keyType).sets++;
    this.notify(() => this.hooks.onSet?.(keyType));
  }

  bypass(): void {
    this.counters.bypasses++;
  }

  error(operation: string, error: unknown): void {
    this.counters.errors++;
    this.notify(() => this.hooks.onError?.(operation, error));
  }

  operation(operation: string, seconds: number): void {
    this.notify(() => this.hooks.onOperation?.(operation, seconds));
  }

  invalidation(reason: "key" | "tag" | "pattern" | "flush" | "remote", keys: number): void {
    this.notify(() => this.hooks.onInvalidation?.(reason, keys));
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

  private notify(call: () => void): void {
    try {
      call();
    } catch {
      // Metrics must never fail a cache call.
    }
  }
}
