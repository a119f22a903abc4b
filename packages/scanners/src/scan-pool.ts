import { Piscina } from "piscina";
import type { ScanOutcome } from "./run-scan.js";

export interface ScanPoolOptions {
  /** Scans that may run at once; match the worker's job concurrency. */
  threads: number;
}

/**
 * Runs scans on worker threads, so the calling process's event loop stays free: BullMQ keeps renewing
 * job locks and health checks keep answering while a large input is scanned.
 */
export class ScanPool {
  private readonly pool: Piscina;

  constructor(options: ScanPoolOptions) {
    this.pool = new Piscina({
      // The compiled thread entry beside this module (dist/scan-thread.js).
      filename: new URL("./scan-thread.js", import.meta.url).href,
      minThreads: 1,
      maxThreads: options.threads,
      idleTimeout: 60_000,
    });
  }

  run(scanType: string, input: unknown): Promise<ScanOutcome> {
    return this.pool.run({ scanType, input }) as Promise<ScanOutcome>;
  }

  /** Waits for running scans, then stops the threads. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
