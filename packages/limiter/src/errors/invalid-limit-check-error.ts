/** A check or refund the limiter cannot run: a programming error in the caller, never a Redis problem. */
export class InvalidLimitCheckError extends Error {
  readonly code = "invalid_limit_check";
  constructor(message: string) {
    super(message);
    this.name = "InvalidLimitCheckError";
  }
}
