import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";
import type { InputKey } from "./input-key.js";
import { sharesTag } from "./tag-overlap.js";

/**
 * The stored result of an input, locked until the transaction ends: what a replacement is compared with, so two
 * re-runs of one result cannot both compare with the same old findings and both announce the change.
 */
export async function lockStoredResult(db: DbExecutor, key: InputKey): Promise<{ id: string; result: unknown } | undefined> {
  let query = db
    .selectFrom("scan_results")
    .select(["id", "result"])
    .where("scan_type", "=", key.scanType)
    .where("input_hash", "=", key.inputHash);
  query = key.ownerId === null ? query.where("owner_id", "is", null) : query.where("owner_id", "=", key.ownerId);
  return query.forUpdate().executeTakeFirst();
}

/** Marks the completed scans that show result `resultId` as having changed findings; returns them. */
export async function markFindingsChanged(
  db: DbExecutor,
  resultId: string,
  at: Date = new Date(),
): Promise<{ id: string; user_id: string }[]> {
  return db
    .updateTable("scans")
    .set({ findings_changed_at: at })
    .where("result_id", "=", resultId)
    .where("status", "=", "completed")
    .returning(["id", "user_id"])
    .execute();
}

/** Of these scans, the ones that still exist, with their owners' webhook (only owners that have one). */
export async function findScanOwnersWithWebhooks(db: DbExecutor, scanIds: readonly string[]): Promise<{ id: string; user_id: string }[]> {
  if (scanIds.length === 0) return [];
  return db
    .selectFrom("scans")
    .innerJoin("users", "users.id", "scans.user_id")
    .select(["scans.id", "scans.user_id"])
    .where("scans.id", "=", sql<string>`any(${sql.val([...scanIds])}::uuid[])`)
    .where("users.webhook_url", "is not", null)
    .execute();
}

/**
 * One page (by id) of the results tagged with any of `tags` that a user with a webhook has a scan of: the results
 * an advisory change must re-run however cold they are, because someone is waiting to hear if they change.
 */
export async function findWatchedResultsTagged(
  db: DbExecutor,
  tags: readonly string[],
  page: { afterId?: string | undefined; limit: number },
): Promise<{ id: string; scan_type: string; owner_id: string | null; input_hash: string }[]> {
  if (tags.length === 0) return [];
  let query = db
    .selectFrom("scan_results as r")
    .select(["r.id", "r.scan_type", "r.owner_id", "r.input_hash"])
    .where(sharesTag("r.tags", tags))
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom("scans as s")
          .innerJoin("users as u", "u.id", "s.user_id")
          .select(sql`1`.as("one"))
          .whereRef("s.result_id", "=", "r.id")
          .where("u.webhook_url", "is not", null),
      ),
    )
    .orderBy("r.id")
    .limit(page.limit);
  if (page.afterId !== undefined) query = query.where("r.id", ">", page.afterId);
  return query.execute();
}
