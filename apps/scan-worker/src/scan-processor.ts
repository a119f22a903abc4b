import { type ImageReadSettings, RetryableRunError, type RunOutcome, runStoredScan } from "@secapi/core";
import { type Db, type InputKey, type ScanRow, isPermanentDatabaseError, markRunScansRunning } from "@secapi/db";
import { scanJobDataSchema } from "@secapi/events";
import type { ScanPool } from "@secapi/scanners";
import { type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import { finishRun } from "./finish-run.js";
import { JobWorkDirs } from "./job-work-dirs.js";
import type { QuotaRefunder } from "./refund-quota.js";

export interface ScanProcessorDeps {
  db: Db;
  pool: Pick<ScanPool, "run">;
  scanInputKey: Buffer;
  logger: Logger;
  /** How images are read (`IMAGE_*`); absent, an image input that has not been read yet fails `input_unresolved`. */
  image?: ImageReadSettings;
  /** Where runs stage what they read (image blobs); default: under os.tmpdir(). */
  workDirs?: JobWorkDirs;
  /** Gives back the quota of scans that failed for an internal reason. */
  refund?: QuotaRefunder;
  /** Told how each run ended, with the scans it finished, for metrics. */
  onRunFinished?: (run: { scanType: string; outcome: "completed" | "failed"; seconds: number; scans: ScanRow[] }) => void;
}

export type ScanJobResult = { outcome: "completed" | "failed"; scans: number } | { outcome: "skipped" };

/**
 * Runs one scan job. Input problems end the run as `failed` at once (retrying cannot help); anything
 * thrown (Postgres away, a thread crashed) is transient and BullMQ retries it with back-off, and on the
 * last attempt the scans are marked failed so no client polls forever.
 */
export function createScanProcessor(deps: ScanProcessorDeps) {
  const workDirs = deps.workDirs ?? new JobWorkDirs();
  return async function processScanJob(job: Job): Promise<ScanJobResult> {
    const parsed = scanJobDataSchema.safeParse(job.data);
    if (!parsed.success || !job.id) throw new UnrecoverableError("malformed scan job payload");
    const key: InputKey = parsed.data;
    const jobId = job.id;
    const log = deps.logger.child({ jobId, scanType: key.scanType });

    if ((await markRunScansRunning(deps.db, jobId)) === 0) {
      log.info({}, "no scan waits for this run (already finished or deleted); skipping");
      return { outcome: "skipped" };
    }

    const started = process.hrtime.bigint();
    let outcome: RunOutcome;
    let finished: ScanRow[];
    const workDir = workDirs.forJob(jobId);
    try {
      const io = deps.image && { workDir: workDir.path, image: deps.image };
      outcome = await runStoredScan({ db: deps.db, scanInputKey: deps.scanInputKey, run: (task) => deps.pool.run(task), io }, key);
      finished = await finishRun(deps.db, key, jobId, outcome);
    } catch (error) {
      const attempts = job.opts.attempts ?? 1;
      // Postgres refusing the values themselves fails the same way on every attempt: end the run now.
      const permanent = isPermanentDatabaseError(error);
      if (permanent || job.attemptsMade + 1 >= attempts) {
        log.error(
          { err: error, attempts, permanent },
          permanent ? "scan failed for good: Postgres refused its values" : "scan failed on its last attempt",
        );
        // A retryable failure that outlasted every attempt (a registry still unreachable) says what it was.
        const failure =
          error instanceof RetryableRunError
            ? { code: error.code, message: error.message }
            : { code: "scan_failed", message: "The scan could not be completed" };
        const failed = await finishRun(deps.db, key, jobId, { status: "failed", ...failure });
        await deps.refund?.(failed, failure.code);
      }
      if (permanent) throw new UnrecoverableError(`Postgres refused the scan's values: ${(error as Error).message}`);
      throw error;
    } finally {
      await workDir.remove();
    }
    if (outcome.status === "failed") await deps.refund?.(finished, outcome.code);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    deps.onRunFinished?.({ scanType: key.scanType, outcome: outcome.status, seconds, scans: finished });
    log.info({ outcome: outcome.status, scans: finished.length, seconds }, "scan run finished");
    return { outcome: outcome.status, scans: finished.length };
  };
}
