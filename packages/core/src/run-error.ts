/**
 * A run that ended with a stable `code` (and its message) in place of the generic `scan_failed`. Whether it is
 * retried is the subclass's meaning: `RunInputError` never, `RetryableRunError` like any transient error.
 */
export abstract class RunError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
