/** A key, pattern or tag the cache cannot accept (outside the prefix, empty, or in its internal namespace). */
export class CacheKeyError extends Error {
  readonly code = "cache_invalid_key";
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`cache key ${JSON.stringify(key)} ${reason}`);
    this.name = "CacheKeyError";
  }
}
