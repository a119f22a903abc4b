import { sql } from "kysely";
import type { Db, DbExecutor } from "../schema/database.js";

/** The cheapest round trip to Postgres: resolves when the database answers, rejects when it does not. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`SELECT 1`.execute(db);
}

/**
 * Sends `payload` on a LISTEN channel (a PgListener's). Inside a transaction it is delivered only at commit, so
 * listeners never hear of a change they cannot read yet.
 */
export async function notifyChannel(executor: DbExecutor, channel: string, payload: string): Promise<void> {
  await sql`SELECT pg_notify(${channel}, ${payload})`.execute(executor);
}
