import { type Db, deleteOldWebhookDeliveries } from "@secapi/db";
import type { Logger } from "pino";
import { PeriodicSweep } from "./periodic-sweep.js";

/**
 * How long a delivered notice is remembered. A notice can be queued again while its source can be replayed: an
 * event failed in the `events` queue is kept 7 days, the outbox relays until Postgres has it; 30 days covers both
 * with room for an operator's manual retry.
 */
export const WEBHOOK_DELIVERY_RETENTION_SECONDS = 30 * 24 * 3600;

export interface WebhookDeliveryRetentionOptions {
  db: Db;
  logger: Logger;
  retentionSeconds?: number;
  intervalMs?: number;
  batchSize?: number;
}

/**
 * Forgets delivery records past the retention window, in batches, on an interval. Safe in every worker at once:
 * deleting the same old rows twice deletes nothing the second time.
 */
export class WebhookDeliveryRetention {
  private readonly periodic: PeriodicSweep;

  constructor(private readonly options: WebhookDeliveryRetentionOptions) {
    this.periodic = new PeriodicSweep(
      () => this.sweep(),
      options.intervalMs ?? 3600_000,
      (error) => options.logger.warn({ err: error }, "webhook delivery retention sweep failed"),
    );
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass until no old row is left; returns how many rows it deleted. */
  async sweep(): Promise<number> {
    const batchSize = this.options.batchSize ?? 10_000;
    const retention = this.options.retentionSeconds ?? WEBHOOK_DELIVERY_RETENTION_SECONDS;
    let total = 0;
    for (;;) {
      const deleted = await deleteOldWebhookDeliveries(this.options.db, retention, batchSize);
      total += deleted;
      if (deleted < batchSize) break;
    }
    if (total > 0) this.options.logger.info({ deleted: total }, "old webhook delivery records deleted");
    return total;
  }
}
