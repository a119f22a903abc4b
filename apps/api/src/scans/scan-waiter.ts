import { SCAN_FINISHED_CHANNEL } from "@secapi/events";
import pg from "pg";
import type { Logger } from "pino";

/**
 * Lets `GET /scans/:id?wait=N` sleep until the scan's run finishes. One LISTEN connection per process
 * fans notifications out to waiting requests. Callers re-read the scan after every wake-up and wake at
 * least once a second anyway, so a notification lost while the connection was down only costs latency.
 */
export class ScanWaiter {
  private client: pg.Client | undefined;
  private readonly waiters = new Map<string, Set<() => void>>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly logger: Logger,
  ) {}

  /** Connects the LISTEN session; failures are retried in the background. */
  async start(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: "secapi-scan-waiter" });
    client.on("notification", (message) => {
      if (message.channel === SCAN_FINISHED_CHANNEL && message.payload) this.wakeAll(message.payload);
    });
    client.on("error", (error) => {
      this.logger.warn({ err: error }, "scan waiter lost its Postgres connection");
      this.scheduleReconnect(client);
    });
    client.on("end", () => this.scheduleReconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${SCAN_FINISHED_CHANNEL}`);
      this.client = client;
    } catch (error) {
      this.logger.warn({ err: error }, "scan waiter cannot LISTEN yet; polling meanwhile");
      this.scheduleReconnect(client);
    }
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.start();
    }, 1000);
    this.reconnectTimer.unref();
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

  /** Wakes every waiter (so their requests answer now, during shutdown) and closes the connection. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    for (const jobId of [...this.waiters.keys()]) this.wakeAll(jobId);
    await this.client?.end().catch(() => undefined);
  }
}
