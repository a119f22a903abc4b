import { type ScanOutcome, type ScanTask, runScan } from "./run-scan.js";

/** Entry point of a ScanPool worker thread. */
export default function scanThread(task: ScanTask): ScanOutcome {
  return runScan(task);
}
