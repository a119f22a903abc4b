import { randomUUID } from "node:crypto";
import type { Cache } from "@secapi/cache";
import { type ResultEntry, userTag } from "@secapi/core";
import { type Db, type InputKey, type ScanLabels, type ScanRow, insertAnnouncedScans, isRowRejectedError } from "@secapi/db";
import { type OutboxMessage, outboxRows } from "@secapi/events";
import type { Logger } from "pino";
import { cachedScan, scanCreatedMessage } from "./submit-scan.js";

/** A submission answered from a cached result: recorded as a completed scan, nothing runs. */
export interface CachedSubmission {
  userId: string;
  key: InputKey;
  cached: ResultEntry;
  labels?: ScanLabels | undefined;
}

interface Pending extends CachedSubmission {
  id: string;
  event: OutboxMessage;
  resolve(row: ScanRow): void;
  reject(error: unknown): void;
}

export interface CachedScanRecorderOptions {
  db: Db;
  logger: Logger;
  /** After a batch committed, before its callers are answered: e.g. drop the users' cached lists, kick the relay. */
  onCommitted(userIds: ReadonlySet<string>): Promise<void>;
  /** Most submissions per statement, default 500 (about 8,500 bind parameters, far below Postgres's 65,535). */
  maxBatch?: number;
}

/**
 * Records cache-hit submissions with group commit: the scan rows and `scan.created` events of every such
 * submission that arrives while a write is in flight go into the next write together (one statement). Each
 * caller is answered only once its row has committed, exactly as with a transaction of its own, so nothing
 * acknowledged can be lost and the very next read finds the scan; but under load a hundred submissions cost
 * one transaction and one fsync instead of a hundred. A batch refused for its data is retried one submission
 * at a time, so that one bad row (say, a user deleted meanwhile) fails only its own request; a batch that
 * fails otherwise (Postgres down) fails at once, without a retry per submission.
 */
export class CachedScanRecorder {
  private readonly options: CachedScanRecorderOptions;
  private readonly maxBatch: number;
  private queue: Pending[] = [];
  private running = false;

  constructor(options: CachedScanRecorderOptions) {
    this.options = options;
    this.maxBatch = options.maxBatch ?? 500;
  }

  /** Records one cache-hit submission; resolves with its committed scan row. */
  record(submission: CachedSubmission): Promise<ScanRow> {
    const id = randomUUID();
    const event = scanCreatedMessage(id, submission.userId, submission.key);
    return new Promise<ScanRow>((resolve, reject) => {
      this.queue.push({ ...submission, id, event, resolve, reject });
      if (!this.running) {
        this.running = true;
        // The end of this event-loop turn: submissions that arrived in it share the first transaction.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      // commit settles every submission of its batch; anything it did not foresee fails them (settling twice
      // is a no-op) instead of leaving them waiting, and the drain goes on.
      await this.commit(batch).catch((error: unknown) => {
        for (const pending of batch) pending.reject(error);
      });
    }
    this.running = false;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let rows: ScanRow[];
    try {
      rows = await this.write(batch);
    } catch (error) {
      if (batch.length > 1 && isRowRejectedError(error)) {
        for (const pending of batch) await this.commit([pending]);
      } else {
        for (const pending of batch) pending.reject(error);
      }
      return;
    }
    await this.options
      .onCommitted(new Set(batch.map((pending) => pending.userId)))
      .catch((error: unknown) => this.options.logger.warn({ err: error }, "after recording cached scans"));
    batch.forEach((pending, i) => pending.resolve(rows[i] as ScanRow));
  }

  private write(batch: Pending[]): Promise<ScanRow[]> {
    const scans = batch.map((pending) => cachedScan(pending.id, pending.userId, pending.key, pending.cached, pending.labels));
    return insertAnnouncedScans(this.options.db, scans, outboxRows(batch.map((pending) => pending.event)));
  }
}

/**
 * The API's recorder: a committed batch wakes the outbox relay and drops its users' cached lists and stats
 * before anyone is answered (read-your-writes; the cache-worker does it again on `scan.created`).
 */
export function createCachedScanRecorder(deps: { db: Db; logger: Logger; cache: Cache; kickRelay(): void }): CachedScanRecorder {
  return new CachedScanRecorder({
    db: deps.db,
    logger: deps.logger,
    onCommitted: async (userIds) => {
      deps.kickRelay();
      await deps.cache.invalidateTags([...userIds].map(userTag));
    },
  });
}
