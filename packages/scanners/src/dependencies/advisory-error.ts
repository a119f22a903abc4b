/** An OSV advisory that does not satisfy the schema; the message names the offending fields. */
export class AdvisoryError extends Error {
  override readonly name = "AdvisoryError";
  readonly code = "advisory_invalid";
}
