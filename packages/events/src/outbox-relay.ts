import { type Db, type OutboxRow, deleteOutboxRows, lockOutboxBatch, recordOutboxFailure } from "@secapi/db";
import { withTimeout } from "@secapi/toolkit";
import type { Queue } from "bullmq";
import type { QueueName } from "./queue-names.js";

/** The few logger methods the relay needs; pino's logger fits. */
export interface RelayLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface OutboxRelayOptions {
  db: Db;
  /** Producer queues, owned by the caller. */
  queues: Record<QueueName, Queue>;
  /** Rows moved per transaction. */
  batchSize?: number;
  /** How often to look for rows written by other processes. */
  pollIntervalMs?: number;
  /** Ceiling of the back-off while BullMQ's Redis is unreachable. */
  maxBackoffMs?: number;
  /** How long one publish may take before the batch is given back to the table. */
  publishTimeoutMs?: number;
  logger?: RelayLogger;
  /** Called with the number of messages delivered, for metrics. */
  onRelayed?: (count: number) => void;
}

export class RelayPublishTimeoutError extends Error {
  readonly code = "relay_publish_timeout";
  constructor(ms: number) {
    super(`BullMQ did not accept the batch within ${ms} ms`);
    this.name = "RelayPublishTimeoutError";
  }
}

/**
 * Moves outbox rows to BullMQ. Rows are locked with `FOR UPDATE SKIP LOCKED` (relays in several processes
 * share the work), published with job id = the row's job id, and deleted in the same transaction only
 * after BullMQ accepted them. If Redis is down the transaction rolls back and the rows wait; a row
 * published but not deleted is published again, which the job id makes harmless.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly maxBackoffMs: number;
  private readonly publishTimeoutMs: number;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private kicked = false;
  private failing = false;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 100;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.maxBackoffMs = options.maxBackoffMs ?? 10_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5000;
  }

  /** Starts the background loop. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Asks for a pass now, e.g. right after this process committed outbox rows. */
  kick(): void {
    this.kicked = true;
    this.wake?.();
  }

  /** Stops after the pass in progress; rows not yet moved stay for the next relay. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** One transaction: publish up to `batchSize` rows and delete them. Returns how many moved. */
  async relayOnce(): Promise<number> {
    let locked: OutboxRow[] = [];
    try {
      return await this.options.db.transaction().execute(async (tx) => {
        locked = await lockOutboxBatch(tx, this.batchSize);
        if (locked.length === 0) return 0;
        const timeoutMs = this.publishTimeoutMs;
        await withTimeout(this.publish(locked), timeoutMs, () => new RelayPublishTimeoutError(timeoutMs));
        await deleteOutboxRows(
          tx,
          locked.map((r) => r.id),
        );
        return locked.length;
      });
    } catch (error) {
      await this.recordFailure(locked, error);
      throw error;
    }
  }

  private async publish(rows: OutboxRow[]): Promise<void> {
    const byQueue = new Map<QueueName, OutboxRow[]>();
    for (const row of rows) {
      const queue = row.queue as QueueName;
      byQueue.set(queue, [...(byQueue.get(queue) ?? []), row]);
    }
    await Promise.all(
      [...byQueue].map(([name, batch]) => {
        const queue = this.options.queues[name];
        if (!queue) throw new Error(`outbox row for unknown queue ${name}`);
        return queue.addBulk(batch.map((r) => ({ name: r.job_name, data: r.payload, opts: { jobId: r.job_id } })));
      }),
    );
  }

  private async recordFailure(rows: OutboxRow[], error: unknown): Promise<void> {
    if (rows.length === 0) return;
    await recordOutboxFailure(
      this.options.db,
      rows.map((r) => r.id),
      String((error as Error).message ?? error),
    ).catch(() => undefined);
  }

  private async run(): Promise<void> {
    let backoff = this.pollIntervalMs;
    while (this.running) {
      this.kicked = false;
      let moved = 0;
      try {
        moved = await this.relayOnce();
        if (moved > 0) this.options.onRelayed?.(moved);
        if (this.failing) this.options.logger?.info({}, "outbox relay recovered");
        this.failing = false;
        backoff = this.pollIntervalMs;
      } catch (error) {
        if (!this.failing) this.options.logger?.warn({ err: error }, "outbox relay cannot publish; rows wait in Postgres");
        this.failing = true;
        backoff = Math.min(backoff * 2, this.maxBackoffMs);
      }
      if (moved === this.batchSize || (this.kicked && !this.failing)) continue;
      // stop() called during the pass found no sleep to wake: it must not wait out a whole poll interval.
      if (!this.running) break;
      await this.sleep(this.failing ? backoff : this.pollIntervalMs);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
