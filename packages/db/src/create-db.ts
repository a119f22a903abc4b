import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import type { Database, Db } from "./schema/database.js";

export interface PoolOptions {
  connectionString: string;
  /** Connections per process. */
  max?: number;
  connectionTimeoutMs?: number;
  idleTimeoutMs?: number;
  /** Server-side cap on one statement, so a stuck query cannot hold a request forever. */
  statementTimeoutMs?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  /** Told about errors of idle clients (e.g. Postgres restarted); without a listener they would crash the process. */
  onError?: (error: Error) => void;
}

/** A pg pool with SecAPI's timeouts. */
export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30000,
    statement_timeout: options.statementTimeoutMs ?? 15000,
    application_name: options.applicationName ?? "secapi",
  });
  pool.on("error", (error) => options.onError?.(error));
  // A checked-out client whose connection dies between queries emits "error" on itself, not on the pool;
  // unheard, that kills the process. The query in flight (if any) fails on its own and the pool discards
  // the client, so hearing the event is all that is needed.
  pool.on("connect", (client) => client.on("error", (error) => options.onError?.(error)));
  return pool;
}

/** Wraps a pool (passed in, owned by the caller) in a typed kysely instance. */
export function createDb(pool: pg.Pool): Db {
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
