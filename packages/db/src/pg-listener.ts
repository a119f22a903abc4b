import pg from "pg";

/** Where a PgListener reports connection trouble (a pino logger fits). */
export interface PgListenerLogger {
  warn(details: object, message: string): void;
}

export interface PgListenerOptions {
  connectionString: string;
  logger: PgListenerLogger;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** Delay before reconnecting after the connection failed or dropped; default 1000 ms. */
  reconnectMs?: number;
  /** How long a connection attempt may take before it is given up and retried; default 5000 ms. */
  connectTimeoutMs?: number;
}

type Handler = (payload: string) => void;

/**
 * One LISTEN connection per process, fanned out to every handler of every channel (long polls, advisory
 * changes), so waiting never holds a pool connection. It reconnects by itself; `onReconnect` handlers run
 * after every (re)connection, because notifications sent while it was down are lost and callers must re-read.
 */
export class PgListener {
  private client: pg.Client | undefined;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly reconnectHandlers = new Set<() => void>();
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: PgListenerOptions) {}

  /** Connects and listens on every channel subscribed so far; failures are retried in the background. */
  async start(): Promise<void> {
    if (this.closed || this.client) return;
    // Keep-alive and a query timeout, so a connection that died without a word is noticed (by the polls that run
    // on it) and replaced, rather than silently missing notifications.
    const client = new pg.Client({
      connectionString: this.options.connectionString,
      application_name: this.options.applicationName ?? "secapi-listener",
      keepAlive: true,
      query_timeout: 5000,
      // pg waits forever for a server that accepts and never answers: `start()` (and the api's start with it) would hang.
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5000,
    });
    client.on("notification", (message) => {
      for (const handler of this.handlers.get(message.channel) ?? []) handler(message.payload ?? "");
    });
    client.on("error", (error) => {
      this.options.logger.warn({ err: error }, "LISTEN connection to Postgres lost; reconnecting");
      this.scheduleReconnect(client);
    });
    client.on("end", () => this.scheduleReconnect(client));
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      this.client = client;
      for (const handler of this.reconnectHandlers) handler();
    } catch (error) {
      this.options.logger.warn({ err: error }, "cannot LISTEN on Postgres yet; retrying");
      this.scheduleReconnect(client);
    }
  }

  /** Whether the LISTEN connection is up (notifications are being received). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  /**
   * Runs a small query on the LISTEN connection itself: no pool connection is taken, and a reply proves the
   * connection (hence its notifications) is alive. Rejects while it is not connected.
   */
  async query<R extends object>(text: string): Promise<R[]> {
    const client = this.client;
    if (!client) throw new Error("the LISTEN connection to Postgres is not up");
    try {
      return (await client.query<R>(text)).rows;
    } catch (error) {
      // A query that fails on the LISTEN connection means it cannot be trusted to deliver notifications either.
      this.scheduleReconnect(client);
      throw error;
    }
  }

  /** Calls `handler` with the payload of every notification on `channel`; returns the unsubscribe function. */
  subscribe(channel: string, handler: Handler): () => void {
    let set = this.handlers.get(channel);
    if (!set) {
      set = new Set();
      this.handlers.set(channel, set);
      this.client?.query(`LISTEN ${pg.escapeIdentifier(channel)}`).catch((error: unknown) => {
        this.options.logger.warn({ err: error, channel }, "LISTEN failed; reconnecting");
        if (this.client) this.scheduleReconnect(this.client);
      });
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  /** Calls `handler` after every successful (re)connection, when notifications may have been missed. */
  onReconnect(handler: () => void): () => void {
    this.reconnectHandlers.add(handler);
    return () => this.reconnectHandlers.delete(handler);
  }

  private scheduleReconnect(client: pg.Client): void {
    if (this.client === client) this.client = undefined;
    client.end().catch(() => undefined);
    if (this.closed || this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.start();
    }, this.options.reconnectMs ?? 1000);
    this.reconnectTimer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
