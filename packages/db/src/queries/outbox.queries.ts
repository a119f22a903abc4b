import type { Insertable } from "kysely";
import type { DbExecutor } from "../schema/database.js";
import type { OutboxRow, OutboxTable } from "../schema/outbox.table.js";

/** An outbox row to write: the message, its queue and job id (the rest is filled in by Postgres). */
export type NewOutboxRow = Insertable<OutboxTable>;

/** Writes outbox rows in the caller's transaction. */
export async function insertOutboxRows(tx: DbExecutor, rows: readonly NewOutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx
    .insertInto("outbox")
    .values([...rows])
    .execute();
}

/**
 * Locks the oldest `limit` rows no other transaction holds (`FOR UPDATE SKIP LOCKED`: relays in several processes
 * share the work) until the caller's transaction ends.
 */
export async function lockOutboxBatch(tx: DbExecutor, limit: number): Promise<OutboxRow[]> {
  return tx.selectFrom("outbox").selectAll().orderBy("id").limit(limit).forUpdate().skipLocked().execute();
}

/** Deletes delivered rows, by id. */
export async function deleteOutboxRows(tx: DbExecutor, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx
    .deleteFrom("outbox")
    .where("id", "in", [...ids])
    .execute();
}

/** Counts a failed delivery attempt on these rows, with its error. */
export async function recordOutboxFailure(db: DbExecutor, ids: readonly string[], error: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("outbox")
    .set((eb) => ({ attempts: eb("attempts", "+", 1), last_error: error }))
    .where("id", "in", [...ids])
    .execute();
}
