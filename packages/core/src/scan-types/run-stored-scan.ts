import { type Db, type InputKey, type ResultBasis, changedSince, findScanInput, putScanInput } from "@secapi/db";
import type { ScanOutcome, ScanOutput, ScanTask } from "@secapi/scanners";
import { SealedInputError, openInput, sealInput } from "../input-sealing.js";
import { RunInputError } from "../run-input-error.js";
import { resolveScanType } from "./registry.js";
import type { RunIo } from "./scan-type.js";

/** How many times a scan is run again because its advisories changed while it ran, before it is stored as is. */
const MAX_RESCANS = 3;

/** How a stored run ended: a result with what it reflects, or a failure with a stable code. */
export type RunOutcome =
  { status: "completed"; output: ScanOutput; basis: ResultBasis } | { status: "failed"; code: string; message: string };

export interface StoredScanDeps {
  db: Db;
  scanInputKey: Buffer;
  /** Runs the engine: on a thread pool (the scan-worker) or inline (the cache-worker's millisecond re-runs). */
  run(task: ScanTask): Promise<ScanOutcome>;
  /** What reading an input (an image) may use: the scan-worker gives it; without it, such an input fails `input_unresolved`. */
  io?: RunIo;
}

/**
 * Runs the sealed input stored under `key` with its type's engine, as both workers do: opens it, loads what the
 * type needs (advisories), scans, and scans again if an import changed its packages' advisories meanwhile (such a
 * result would be outdated the moment it is stored). A type that reads its input first (an image) does so before,
 * and its resolved input replaces the stored one, so a re-run matches it again without reading the image. Expected
 * failures are values; anything thrown is transient.
 */
export async function runStoredScan(deps: StoredScanDeps, key: InputKey): Promise<RunOutcome> {
  const type = resolveScanType(key.scanType);
  if (!type) return { status: "failed", code: "unknown_scan_type", message: `No scanner for type ${key.scanType}` };
  const sealed = await findScanInput(deps.db, key);
  if (!sealed) return { status: "failed", code: "input_missing", message: "The scan input is no longer available" };
  let input: unknown;
  try {
    input = openInput(deps.scanInputKey, key, sealed);
  } catch (error) {
    if (error instanceof SealedInputError) return { status: "failed", code: error.code, message: error.message };
    throw error;
  }
  if (type.resolveInput) {
    try {
      const resolved = await type.resolveInput({ db: deps.db, key, input, io: deps.io });
      if (resolved) {
        input = resolved.input;
        await putScanInput(deps.db, key, sealInput(deps.scanInputKey, key, input));
        await resolved.consumed?.();
      }
    } catch (error) {
      if (error instanceof RunInputError) return { status: "failed", code: error.code, message: error.message };
      throw error;
    }
  }
  for (let rescans = 0; ; rescans++) {
    const { task, advisoryRevision } = await type.prepareRun(deps.db, input);
    const outcome = await deps.run(task);
    if (outcome.status === "failed") return outcome;
    const { output } = outcome;
    if (advisoryRevision !== null && rescans < MAX_RESCANS && (await changedSince(deps.db, output.tags, advisoryRevision))) continue;
    return { status: "completed", output, basis: { advisoryRevision: advisoryRevision ?? 0, validUntil: output.validUntil } };
  }
}
