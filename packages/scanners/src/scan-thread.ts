import { runScan, type ScanOutcome } from "./run-scan.js";

/** Entry point of a ScanPool worker thread. */
export default function scanThread(task: { scanType: string; input: unknown }): ScanOutcome {
  return runScan(task.scanType, task.input);
}
