import type { InputKey } from "@secapi/db";
import { z } from "zod";

/**
 * What a scan job carries: which input to run, never the input itself (a secret must not sit in a job
 * payload). The worker reads the sealed input from Postgres by this key.
 */
export const scanJobDataSchema: z.ZodType<InputKey> = z.object({
  scanType: z.string(),
  ownerId: z.uuid().nullable(),
  inputHash: z.string().regex(/^[0-9a-f]{64}$/),
});

export const SCAN_JOB_NAME = "scan";

/**
 * Equal inputs (per owner, for private types) share this key. BullMQ forbids `:` in ids, hence dashes.
 */
export function scanCoalescingKey(job: InputKey): string {
  return job.ownerId === null ? `${job.scanType}-${job.inputHash}` : `${job.scanType}-${job.ownerId}-${job.inputHash}`;
}

/**
 * The BullMQ job id of one run: the coalescing key plus the id of the scan that started the run. Every
 * identical submission while the run is in flight joins it; one arriving after it finished starts a new
 * run with a new id, so it can never be swallowed by a finished job that BullMQ still holds.
 */
export function scanRunJobId(job: InputKey, firstScanId: string): string {
  return `${scanCoalescingKey(job)}-${firstScanId}`;
}
