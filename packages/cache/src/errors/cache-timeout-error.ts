/** A Redis call that did not answer within `timeoutMs`; reported to `onError`, never thrown to readers. */
export class CacheTimeoutError extends Error {
  readonly code = "cache_timeout";
  constructor(
    readonly operation: string,
    readonly ms: number,
  ) {
    super(`cache Redis ${operation} did not answer within ${ms} ms`);
    this.name = "CacheTimeoutError";
  }
}
