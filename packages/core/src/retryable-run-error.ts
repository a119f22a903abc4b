import { RunError } from "./run-error.js";

/**
 * A run that failed for a reason that may pass (a registry unreachable): the job is retried with back-off like any
 * transient error, and when the last attempt fails too, the scan fails with this `code` and message instead of the
 * generic `scan_failed`.
 */
export class RetryableRunError extends RunError {
  override readonly name = "RetryableRunError";
}
