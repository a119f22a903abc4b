import { type Db, findScanInput, findStaleInFlightRuns } from "@secapi/db";
import { scanJobMessage, writeOutbox } from "@secapi/events";
import type { Queue } from "bullmq";
import type { Logger } from "pino";
import { finishRun } from "./finish-run.js";
import { PeriodicSweep } from "./periodic-sweep.js";
import type { QuotaRefunder } from "./refund-quota.js";

export interface LostRunSweeperOptions {
  db: Db;
  scansQueue: Queue;
  logger: Logger;
  /** A run is only suspect once its oldest scan waited this long (several lock durations). */
  graceMs: number;
  /** A run lost for longer than this is failed instead of retried: it may be what kills workers. */
  giveUpMs: number;
  intervalMs: number;
  /** Asks the relay to publish re-enqueued jobs now. */
  kickRelay: () => void;
  /** Gives back the quota of the scans it fails. */
  refund?: QuotaRefunder;
}

/**
 * Finds runs whose scans are still queued or running but whose BullMQ job no longer exists (it stalled
 * more than maxStalledCount times, or its last failure could not be recorded) and puts them back on the
 * queue, or fails them once they are too old, so no client polls forever. Safe in every worker at once:
 * re-enqueued jobs keep their id, so BullMQ keeps one.
 */
export class LostRunSweeper {
  private readonly periodic: PeriodicSweep;

  constructor(private readonly options: LostRunSweeperOptions) {
    this.periodic = new PeriodicSweep(
      () => this.sweep(),
      options.intervalMs,
      (error) => options.logger.warn({ err: error }, "lost-run sweep failed"),
    );
  }

  start(): void {
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One pass; returns what it did, for tests and logs. */
  async sweep(now = new Date()): Promise<{ requeued: string[]; failed: string[] }> {
    const { db, scansQueue, logger } = this.options;
    const requeued: string[] = [];
    const failed: string[] = [];
    const suspects = await findStaleInFlightRuns(db, new Date(now.getTime() - this.options.graceMs));
    for (const run of suspects) {
      if (await scansQueue.getJob(run.jobId)) continue;
      const tooOld = now.getTime() - run.oldest.getTime() > this.options.giveUpMs;
      const input = tooOld ? undefined : await findScanInput(db, run.key);
      if (!input) {
        const lost = await finishRun(db, run.key, run.jobId, {
          status: "failed",
          code: "scan_lost",
          message: "The scan was lost by the workers and could not be retried",
        });
        await this.options.refund?.(lost, "scan_lost");
        failed.push(run.jobId);
        continue;
      }
      await writeOutbox(db, [scanJobMessage(run.key, run.jobId)]);
      requeued.push(run.jobId);
    }
    if (requeued.length || failed.length) {
      logger.warn({ requeued: requeued.length, failed: failed.length }, "recovered scan runs whose jobs were lost");
      this.options.kickRelay();
    }
    return { requeued, failed };
  }
}
