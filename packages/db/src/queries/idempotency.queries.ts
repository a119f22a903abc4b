import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";
import type { IdempotencyKeyRow } from "../schema/idempotency-keys.table.js";

export interface StoredResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type IdempotencyClaim = { claimed: true } | { claimed: false; requestHash: string; response: StoredResponse | null };

/**
 * Claims (user, key) inside the caller's transaction. If another request holds the key, the insert waits
 * for its transaction, so what comes back is its committed response. Keys older than `ttlSeconds` are
 * forgotten first, so they can be reused.
 */
export async function claimIdempotencyKey(
  db: DbExecutor,
  entry: { userId: string; key: string; requestHash: string; ttlSeconds: number },
): Promise<IdempotencyClaim> {
  await db
    .deleteFrom("idempotency_keys")
    .where("user_id", "=", entry.userId)
    .where("key", "=", entry.key)
    .where("created_at", "<", sql<Date>`now() - make_interval(secs => ${entry.ttlSeconds})`)
    .execute();
  const inserted = await db
    .insertInto("idempotency_keys")
    .values({ user_id: entry.userId, key: entry.key, request_hash: entry.requestHash, response_body: null, response_headers: null })
    .onConflict((oc) => oc.columns(["user_id", "key"]).doNothing())
    .returning("key")
    .executeTakeFirst();
  if (inserted) return { claimed: true };
  const existing = await findIdempotencyKey(db, entry.userId, entry.key);
  if (!existing) return claimIdempotencyKey(db, entry);
  return { claimed: false, requestHash: existing.request_hash, response: storedResponse(existing) };
}

function storedResponse(row: IdempotencyKeyRow): StoredResponse | null {
  if (row.response_status === null) return null;
  return { status: row.response_status, body: row.response_body, headers: row.response_headers ?? {} };
}

/** Saves the response of a claimed key, in the same transaction as the claim. */
export async function saveIdempotentResponse(
  db: DbExecutor,
  entry: { userId: string; key: string; response: StoredResponse },
): Promise<void> {
  await db
    .updateTable("idempotency_keys")
    .set({
      response_status: entry.response.status,
      response_body: JSON.stringify(entry.response.body),
      response_headers: JSON.stringify(entry.response.headers),
    })
    .where("user_id", "=", entry.userId)
    .where("key", "=", entry.key)
    .execute();
}

export async function findIdempotencyKey(db: DbExecutor, userId: string, key: string): Promise<IdempotencyKeyRow | undefined> {
  return db.selectFrom("idempotency_keys").selectAll().where("user_id", "=", userId).where("key", "=", key).executeTakeFirst();
}

/** Forgets keys older than the retention window; returns how many it removed. */
export async function deleteExpiredIdempotencyKeys(db: DbExecutor, olderThanSeconds: number): Promise<number> {
  const result = await db
    .deleteFrom("idempotency_keys")
    .where("created_at", "<", sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
