import { Piscina } from "piscina";
import { type ScanOutcome, type ScanTask, runScan } from "./run-scan.js";

/**
 * A warm package scan whose advisories the caller already holds prepared is cheaper to match where they are
 * than to copy to a thread: copying 2,836 advisories to a thread cost 66–73 ms of CPU, matching them 10–20 ms
 * (docs/PERFORMANCE.md). Below these bounds the scan runs on the calling thread; the bounds keep the event loop
 * blocked for tens of milliseconds at most, far inside a BullMQ lock renewal and a health probe's timeout.
 */
export interface InlineScanLimits {
  /** Most packages an inline scan may match. */
  packages: number;
  /** Most candidate advisories an inline scan may match against. */
  advisories: number;
}

export const DEFAULT_INLINE_SCAN_LIMITS: InlineScanLimits = { packages: 2_000, advisories: 6_000 };

export interface ScanPoolOptions {
  /** Scans that may run at once; match the worker's job concurrency. */
  threads: number;
  /** Package scans small enough to match on the calling thread; `false` sends every scan to a thread. */
  inline?: InlineScanLimits | false;
}

/** The pool was closed (the process is shutting down): the job should be retried elsewhere. */
export class ScanPoolClosedError extends Error {
  readonly code = "scan_pool_closed";
  constructor() {
    super("the scan pool is closed");
    this.name = "ScanPoolClosedError";
  }
}

/** Whether `task` is a prepared package scan within `limits`. */
export function runsInline(task: ScanTask, limits: InlineScanLimits | false): boolean {
  if (limits === false || task.engine !== "packages" || !Array.isArray(task.prepared)) return false;
  const packages = (task.input as { packages?: unknown } | null)?.packages;
  return Array.isArray(packages) && packages.length <= limits.packages && task.advisories.length <= limits.advisories;
}

/**
 * Runs scans on worker threads, so the calling process's event loop stays free: BullMQ keeps renewing
 * job locks and health checks keep answering while a large input is scanned.
 */
export class ScanPool {
  private readonly pool: Piscina;
  private readonly inline: InlineScanLimits | false;
  private closed = false;

  constructor(options: ScanPoolOptions) {
    this.inline = options.inline ?? DEFAULT_INLINE_SCAN_LIMITS;
    this.pool = new Piscina({
      // The compiled thread entry beside this module (dist/scan-thread.js).
      filename: new URL("./scan-thread.js", import.meta.url).href,
      minThreads: 1,
      maxThreads: options.threads,
      idleTimeout: 60_000,
    });
  }

  /** Runs a scan (on a thread, or inline when small: InlineScanLimits); rejects with ScanPoolClosedError once close() was called. */
  run(task: ScanTask): Promise<ScanOutcome> {
    if (this.closed) return Promise.reject(new ScanPoolClosedError());
    if (runsInline(task, this.inline)) return Promise.resolve().then(() => runScan(task));
    return this.pool.run(withoutPrepared(task)) as Promise<ScanOutcome>;
  }

  /** Refuses new scans, waits for running ones, then stops the threads. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }
}

/** A thread gets the plain advisories: the prepared copies would double what is cloned. */
function withoutPrepared(task: ScanTask): ScanTask {
  if (task.engine !== "packages" || task.prepared === undefined) return task;
  const { prepared: _prepared, ...rest } = task;
  return rest;
}
