/**
 * Redis could not be reached (breaker open, connection down, timeout). Reads never throw it; invalidations
 * (`delete`, `invalidateTags`, `deleteByPattern`, `flush`) do, because a lost invalidation must be retried.
 */
export class CacheUnavailableError extends Error {
  readonly code = "cache_unavailable";
  constructor(
    readonly operation: string,
    options?: { cause?: unknown },
  ) {
    super(`cache Redis unavailable during ${operation}`, options);
    this.name = "CacheUnavailableError";
  }
}
