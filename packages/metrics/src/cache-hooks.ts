import type { Counter, Histogram } from "prom-client";

/**
 * What `@secapi/cache` reports. The cache declares the same shape itself, so neither package imports the
 * other and the cache never touches prom-client.
 */
export interface CacheMetricsHooks {
  /** A fresh entry served from memory (`l1`) or Redis (`l2`). */
  onHit(keyType: string, tier: "l1" | "l2"): void;
  /** Nothing usable was cached: the value was loaded. */
  onMiss(keyType: string): void;
  /** An entry past its freshness but inside its grace period was served (and refreshed in the background). */
  onStaleHit(keyType: string): void;
  /** An entry was written. */
  onSet(keyType: string): void;
  /** A cache operation failed (Redis down or slow, a corrupted entry). */
  onError(operation: string, error: unknown): void;
  /** How long one cache operation took. */
  onOperation(operation: string, seconds: number): void;
  /** `keys` entries were dropped for `reason` (an event type, a tag, a flush). */
  onInvalidation(reason: string, keys: number): void;
}

/** The series the cache hooks write to. */
export interface CacheMetricSeries {
  hits: Counter<"key_type">;
  misses: Counter<"key_type">;
  sets: Counter<"key_type">;
  errors: Counter<"operation">;
  operationDuration: Histogram<"operation">;
  invalidations: Counter<"reason">;
}

/**
 * Cache hooks over the given series. A stale hit counts as a hit: no loader ran for that request, which is
 * what the hit rate measures. Which tier answered is not a label (docs/OPERATIONS.md "Metrics" fixes `{key_type}` only).
 * Nonsense numbers are dropped rather than thrown: these run inside the cache's hot path.
 */
export function createCacheHooks(series: CacheMetricSeries): CacheMetricsHooks {
  return {
    onHit: (keyType) => series.hits.inc({ key_type: keyType }),
    onMiss: (keyType) => series.misses.inc({ key_type: keyType }),
    onStaleHit: (keyType) => series.hits.inc({ key_type: keyType }),
    onSet: (keyType) => series.sets.inc({ key_type: keyType }),
    onError: (operation) => series.errors.inc({ operation }),
    onOperation: (operation, seconds) => {
      if (Number.isFinite(seconds) && seconds >= 0) series.operationDuration.observe({ operation }, seconds);
    },
    onInvalidation: (reason, keys) => {
      if (Number.isFinite(keys) && keys >= 0) series.invalidations.inc({ reason }, keys);
    },
  };
}
