import { SCAN_ENGINES, type ScanTask } from "./engines/registry.js";
import type { ScanEngine } from "./engines/scan-engine.js";
import { type ScanOutcome, invalidInput } from "./scan-outcome.js";

export type { ScanOutcome, ScanOutput } from "./scan-outcome.js";
export type { ScanEngineName, ScanTask } from "./engines/registry.js";

/** Runs one scan synchronously with its task's engine. CPU-bound: call it through ScanPool, not on a server's event loop. */
export function runScan(task: ScanTask): ScanOutcome {
  if (!Object.hasOwn(SCAN_ENGINES, task.engine)) return invalidInput(`no scan engine ${String(task.engine)}`);
  return (SCAN_ENGINES[task.engine] as ScanEngine<ScanTask>).run(task);
}
