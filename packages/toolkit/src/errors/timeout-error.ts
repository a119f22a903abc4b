/** A call that did not answer within `ms`: for callers with no error class of their own to hand `withTimeout`. */
export class TimeoutError extends Error {
  readonly code = "timeout";
  constructor(
    readonly operation: string,
    readonly ms: number,
  ) {
    super(`${operation} did not answer within ${ms} ms`);
    this.name = "TimeoutError";
  }
}
