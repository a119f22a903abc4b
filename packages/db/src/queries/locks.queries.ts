import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";

/** Takes a transaction-scoped advisory lock on a name; held until the caller's transaction ends. */
export async function lockNameForTransaction(tx: DbExecutor, name: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(tx);
}
