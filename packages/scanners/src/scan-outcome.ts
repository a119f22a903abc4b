import type { ScanResult } from "./scan-result.js";

/** What a scan produced: the result document and the cache tags of what it covers. */
export interface ScanOutput {
  result: ScanResult;
  tags: string[];
  /** ISO 8601: when the result stops being true by itself (an advisory it matched is withdrawn then). */
  validUntil?: string | undefined;
}

/**
 * How a scan ended. A failure here is final (the input cannot be scanned: no retry); anything thrown is
 * transient. The same shape all the way to the stored run.
 */
export type ScanOutcome = { status: "completed"; output: ScanOutput } | { status: "failed"; code: "invalid_input"; message: string };

/** A final failure: the task's input is not what its engine scans. */
export const invalidInput = (message: string): ScanOutcome => ({ status: "failed", code: "invalid_input", message });
