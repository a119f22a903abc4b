import { RunError } from "./run-error.js";

/**
 * A run's input that can never be read, as a stable code (an image archive that is not one, an image too large, an
 * upload gone): the run fails with it at once, without retries.
 */
export class RunInputError extends RunError {
  override readonly name = "RunInputError";
}
