/** Options the cache cannot honour, such as a ttl that is not a positive number of seconds. */
export class CacheOptionsError extends Error {
  readonly code = "cache_invalid_options";
  constructor(message: string) {
    super(message);
    this.name = "CacheOptionsError";
  }
}
