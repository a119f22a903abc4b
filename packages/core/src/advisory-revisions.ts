import { ADVISORIES_CHANGED_CHANNEL, type PgListener, currentAdvisoryRevisionQuery } from "@secapi/db";
import type { Logger } from "pino";

export interface AdvisoryRevisionsOptions {
  /** The process's LISTEN connection: imports announce each new revision on it at commit, and polls read on it. */
  listener: PgListener;
  logger: Logger;
  /** Re-reads the revision this often, in case a notification was lost on a connection that died silently; default 2000 ms. */
  pollMs?: number;
}

/**
 * The newest advisory revision this process knows of, learnt from the importing transaction's NOTIFY (at once),
 * from a re-read after the LISTEN connection (re)connects, from a poll every `pollMs` on that same connection (no
 * pool connection; a reply also proves the connection alive), and from this process's own imports. Cached results stamped with an older revision are verified against Postgres before they are
 * served (`isCurrent`). Until the first read succeeds it is Infinity: nothing stamped is served unverified.
 */
export class AdvisoryRevisions {
  private known: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly options: AdvisoryRevisionsOptions) {}

  /** The newest revision known; Infinity before the first successful read. */
  get latest(): number {
    return this.known ?? Number.POSITIVE_INFINITY;
  }

  /** Takes a revision this process learnt some other way (its own import): revisions only move forward. */
  observe(revision: number): void {
    if (Number.isFinite(revision) && (this.known === undefined || revision > this.known)) this.known = revision;
  }

  /** Subscribes to the import announcements and reads the current revision (a failure is retried by the poll). */
  async start(): Promise<void> {
    const { listener, pollMs = 2000 } = this.options;
    this.unsubscribe.push(
      listener.subscribe(ADVISORIES_CHANGED_CHANNEL, (payload) => this.observe(Number(payload))),
      listener.onReconnect(() => void this.refresh()),
    );
    this.timer = setInterval(() => void this.refresh(), pollMs);
    this.timer.unref();
    await this.refresh();
  }

  /** Re-reads the revision from Postgres (one read at a time); a failure keeps what is known. */
  refresh(): Promise<void> {
    this.reading ??= this.options.listener
      .query<{ revision: string }>(currentAdvisoryRevisionQuery)
      .then(
        (rows) => this.observe(Number(rows[0]?.revision)),
        (error: unknown) => this.options.logger.debug({ err: error }, "could not read the advisory revision"),
      )
      .finally(() => {
        this.reading = undefined;
      });
    return this.reading;
  }

  close(): void {
    clearInterval(this.timer);
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
  }
}
