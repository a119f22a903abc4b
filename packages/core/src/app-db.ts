import type { Config } from "@secapi/config";
import { type Db, createDb, createPool, scanUsageSince } from "@secapi/db";
import type { Logger } from "pino";

/** The database of an app process: the configured pool size and timeouts, its name in pg_stat_activity. */
export function createAppDb(config: Config, app: string, logger: Logger, options: { minConnections?: number } = {}): Db {
  return createDb(
    createPool({
      connectionString: config.databaseUrl,
      max: Math.max(config.db.poolMax, options.minConnections ?? 0),
      connectionTimeoutMs: config.db.connectionTimeoutMs,
      statementTimeoutMs: config.db.statementTimeoutMs,
      idleTimeoutMs: config.db.idleTimeoutMs,
      applicationName: `secapi-${app}`,
      onError: (error) => logger.warn({ err: error }, "idle Postgres client error"),
    }),
  );
}

/**
 * The limiter's source of durable monthly usage: the scan usage recorded in Postgres for a `user:<id>`
 * subject since the month began (used when Redis lost its counter).
 */
export function monthUsageFromPostgres(db: Db) {
  return (subject: string, _window: unknown, monthStart: Date) => scanUsageSince(db, subject.replace(/^user:/, ""), monthStart);
}
