/** `check` or `refund` was called after `close()`. */
export class LimiterClosedError extends Error {
  readonly code = "limiter_closed";
  constructor() {
    super("the rate limiter is closed");
    this.name = "LimiterClosedError";
  }
}
