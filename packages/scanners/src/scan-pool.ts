import { Piscina } from "piscina";
import type { ScanOutcome, ScanTask } from "./run-scan.js";

export interface ScanPoolOptions {
  /** Scans that may run at once; match the worker's job concurrency. */
  threads: number;
}

/**
 * Runs scans on worker threads, so the calling process's event loop stays free: BullMQ keeps renewing
 * job locks and health checks keep answering while a large input is scanned.
 */
/** The pool was closed (the process is shutting down): the job should be retried elsewhere. */
export class ScanPoolClosedError extends Error {
  readonly code = "scan_pool_closed";
  constructor() {
    super("the scan pool is closed");
    this.name = "ScanPoolClosedError";
  }
}

export class ScanPool {
  private readonly pool: Piscina;
  private closed = false;

  constructor(options: ScanPoolOptions) {
    this.pool = new Piscina({
      // The compiled thread entry beside this module (dist/scan-thread.js).
      filename: new URL("./scan-thread.js", import.meta.url).href,
      minThreads: 1,
      maxThreads: options.threads,
      idleTimeout: 60_000,
    });
  }

  /** Runs a scan on a thread; rejects with ScanPoolClosedError once close() was called. */
  run(task: ScanTask): Promise<ScanOutcome> {
    if (this.closed) return Promise.reject(new ScanPoolClosedError());
    return this.pool.run(task) as Promise<ScanOutcome>;
  }

  /** Refuses new scans, waits for running ones, then stops the threads. */
  async close(): Promise<void> {
    this.closed = true;
    await this.pool.close();
  }
}
