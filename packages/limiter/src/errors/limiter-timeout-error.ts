/** A call the limiter depends on (Redis, `monthUsage`) did not answer in time. */
export class LimiterTimeoutError extends Error {
  readonly code = "limiter_timeout";
  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`${operation} did not answer within ${timeoutMs} ms`);
    this.name = "LimiterTimeoutError";
  }
}
