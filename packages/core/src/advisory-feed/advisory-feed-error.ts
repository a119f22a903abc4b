/** The advisory feed answered badly, or not at all, after the retries: that ecosystem's sync fails. */
export class AdvisoryFeedError extends Error {
  readonly code = "advisory_feed_failed";
  override readonly name = "AdvisoryFeedError";

  constructor(
    message: string,
    readonly url: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
