/** The limiter could not reach its shared state; `cause` holds what went wrong. The API answers 503 for it. */
export class LimiterUnavailableError extends Error {
  readonly code = "limiter_unavailable";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "LimiterUnavailableError";
  }
}
