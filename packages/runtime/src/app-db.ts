import type { Config } from "@secapi/config";
import { type Db, createDb, createPool } from "@secapi/db";
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
