import type { Config } from "@secapi/config";
import { type Db, createDb, createPool } from "@secapi/db";

/** Runs `fn` with a small pool of its own and always closes it, so a command exits when it is done. */
export async function withDb<T>(config: Config, fn: (db: Db) => Promise<T>): Promise<T> {
  const db = createDb(
    createPool({
      connectionString: config.databaseUrl,
      max: 2,
      connectionTimeoutMs: config.db.connectionTimeoutMs,
      statementTimeoutMs: config.db.statementTimeoutMs,
      applicationName: "secapi-cli",
    }),
  );
  try {
    return await fn(db);
  } finally {
    await db.destroy();
  }
}
