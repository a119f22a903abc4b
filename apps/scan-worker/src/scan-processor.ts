import { SealedInputError, openInput } from "@secapi/core";
import {
  type Db,
  type InputKey,
  type ScanRow,
  changedSince,
  findAdvisorySnapshot,
  findScanInput,
  isPermanentDatabaseError,
  markRunScansRunning,
} from "@secapi/db";
import { scanJobDataSchema } from "@secapi/events";
import type { Advisory, PackageSet, ScanPool, ScanTask } from "@secapi/scanners";
import { type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import { finishRun, type RunOutcome } from "./finish-run.js";
import type { QuotaRefunder } from "./refund-quota.js";

export interface ScanProcessorDeps {
  db: Db;
  pool: Pick<ScanPool, "run">;
  scanInputKey: Buffer;
  logger: Logger;
  /** Gives back the quota of scans that failed for an internal reason. */
  refund?: QuotaRefunder;
  /** Told how each run ended, with the scans it finished, for metrics. */
  onRunFinished?: (run: { scanType: string; outcome: "completed" | "failed"; seconds: number; scans: ScanRow[] }) => void;
}

export type ScanJobResult = { outcome: "completed" | "failed"; scans: number } | { outcome: "skipped" };

/** How many times a scan is run again because its advisories changed while it ran, before it is stored as is. */
const MAX_RESCANS = 3;

/**
 * Runs one scan job. Input problems end the run as `failed` at once (retrying cannot help); anything
 * thrown (Postgres away, a thread crashed) is transient and BullMQ retries it with back-off, and on the
 * last attempt the scans are marked failed so no client polls forever.
 */
export function createScanProcessor(deps: ScanProcessorDeps) {
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
    try {
      outcome = await runScan(deps, key);
      finished = await finishRun(deps.db, key, jobId, outcome);
    } catch (error) {
      const attempts = job.opts.attempts ?? 1;
      // Postgres refusing the values themselves fails the same way on every attempt: end the run now.
      const permanent = isPermanentDatabaseError(error);
      if (permanent || job.attemptsMade + 1 >= attempts) {
        log.error({ err: error, attempts, permanent }, permanent ? "scan failed for good: Postgres refused its values" : "scan failed on its last attempt");
        const failed = await finishRun(deps.db, key, jobId, { status: "failed", code: "scan_failed", message: "The scan could not be completed" });
        await deps.refund?.(failed, "scan_failed");
      }
      if (permanent) throw new UnrecoverableError(`Postgres refused the scan's values: ${(error as Error).message}`);
      throw error;
    }
    if (outcome.status === "failed") await deps.refund?.(finished, outcome.code);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    deps.onRunFinished?.({ scanType: key.scanType, outcome: outcome.status, seconds, scans: finished });
    log.info({ outcome: outcome.status, scans: finished.length, seconds }, "scan run finished");
    return { outcome: outcome.status, scans: finished.length };
  };
}

async function runScan(deps: ScanProcessorDeps, key: InputKey): Promise<RunOutcome> {
  const sealed = await findScanInput(deps.db, key);
  if (!sealed) return { status: "failed", code: "input_missing", message: "The scan input is no longer available" };
  let input: unknown;
  try {
    input = openInput(deps.scanInputKey, key, sealed);
  } catch (error) {
    if (error instanceof SealedInputError) return { status: "failed", code: error.code, message: error.message };
    throw error;
  }
  for (let rescans = 0; ; rescans++) {
    const { task, advisoryRevision } = await scanTask(deps.db, key.scanType, input);
    const result = await deps.pool.run(task);
    if (!result.ok) return { status: "failed", code: result.code, message: result.message };
    const { output } = result;
    // An import that committed while this ran may have changed its packages' advisories: such a result would
    // be outdated the moment it is stored, so it is computed again (it would not be served either way).
    if (rescans < MAX_RESCANS && (await changedSince(deps.db, output.tags, advisoryRevision))) continue;
    return { status: "completed", output, basis: { advisoryRevision, validUntil: output.validUntil } };
  }
}

/**
 * Dependency scans need the advisories of their packages, read here so the thread stays pure, with the advisory
 * revision they reflect (0 for scans that read none).
 */
async function scanTask(db: Db, scanType: string, input: unknown): Promise<{ task: ScanTask; advisoryRevision: number }> {
  if (scanType !== "dependencies" && scanType !== "sbom") return { task: { scanType, input }, advisoryRevision: 0 };
  const set = input as PackageSet;
  const snapshot = await findAdvisorySnapshot(db, set.packages ?? []);
  return { task: { scanType, input: set, advisories: snapshot.advisories as Advisory[] }, advisoryRevision: snapshot.revision };
}
