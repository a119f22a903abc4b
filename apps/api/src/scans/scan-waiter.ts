import type { PgListener } from "@secapi/db";
import { SCAN_FINISHED_CHANNEL } from "@secapi/events";

/**
 * Lets `GET /scans/:id?wait=N` sleep until the scan's run finishes, on the process's one LISTEN connection
 * (no pool connection is held while waiting). Callers re-read the scan after every wake-up and wake at least
 * every `recheckMs` (a second) anyway, so a notification lost while the connection was down only costs latency.
 */
export class ScanWaiter {
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;
  private readonly unsubscribe: () => void;

  /**
   * @param recheckMs How long a poll sleeps at most before it re-reads the scan anyway (a lost notification
   *   costs at most this much latency); 1 s, tests set it.
   */
  constructor(
    listener: PgListener,
    readonly recheckMs = 1000,
  ) {
    this.unsubscribe = listener.subscribe(SCAN_FINISHED_CHANNEL, (jobId) => this.wakeAll(jobId));
  }

  private wakeAll(jobId: string): void {
    const set = this.waiters.get(jobId);
    if (!set) return;
    this.waiters.delete(jobId);
    for (const wake of set) wake();
  }

  /** False once close() was called: long polls should answer with what they have. */
  get open(): boolean {
    return !this.closed;
  }

  /** How many requests are waiting right now. */
  get waiting(): number {
    let n = 0;
    for (const set of this.waiters.values()) n += set.size;
    return n;
  }

  /** Resolves when the run `jobId` is announced finished, after `timeoutMs`, on abort, or on close. */
  wait(jobId: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const set = this.waiters.get(jobId) ?? new Set();
      this.waiters.set(jobId, set);
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        set.delete(done);
        if (set.size === 0 && this.waiters.get(jobId) === set) this.waiters.delete(jobId);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener("abort", done, { once: true });
      set.add(done);
    });
  }

  /** Wakes every waiter, so their requests answer now (during shutdown), and stops listening. */
  close(): void {
    this.closed = true;
    this.unsubscribe();
    for (const jobId of [...this.waiters.keys()]) this.wakeAll(jobId);
  }
}
