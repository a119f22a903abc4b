import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";

/** Which webhook notice: a user's, by the notice's own id (the `SecAPI-Event-Id` a receiver sees). */
export interface WebhookNoticeRef {
  userId: string;
  noticeId: string;
}

/**
 * What a claim found. `claimed`: this caller may send, holding `token` until `leaseMs` ends. `delivered`: some
 * worker already delivered it. `in_flight`: another worker holds an unexpired claim, until `claimedUntil`.
 */
export type WebhookDeliveryClaim =
  { outcome: "claimed"; token: string } | { outcome: "delivered"; deliveredAt: Date } | { outcome: "in_flight"; claimedUntil: Date };

/**
 * Claims a notice for sending. The primary key makes one claim win among racing workers; a claim whose lease
 * lapsed (its worker died before recording the outcome) is taken over. A delivered notice is never claimed again.
 */
export async function claimWebhookDelivery(
  db: DbExecutor,
  notice: WebhookNoticeRef & { noticeType: string; leaseMs: number },
): Promise<WebhookDeliveryClaim> {
  const token = randomUUID();
  const claimedUntil = sql<Date>`now() + make_interval(secs => ${notice.leaseMs / 1000})`;
  const claimed = await db
    .insertInto("webhook_deliveries")
    .values({
      user_id: notice.userId,
      notice_id: notice.noticeId,
      notice_type: notice.noticeType,
      claim_token: token,
      claimed_until: claimedUntil,
    })
    .onConflict((oc) =>
      oc
        .columns(["user_id", "notice_id"])
        .doUpdateSet({ claim_token: token, claimed_until: claimedUntil })
        .where("webhook_deliveries.delivered_at", "is", null)
        .where("webhook_deliveries.claimed_until", "<", sql<Date>`now()`),
    )
    .returning("claim_token")
    .executeTakeFirst();
  if (claimed) return { outcome: "claimed", token };
  const row = await db
    .selectFrom("webhook_deliveries")
    .select(["delivered_at", "claimed_until"])
    .where("user_id", "=", notice.userId)
    .where("notice_id", "=", notice.noticeId)
    .executeTakeFirst();
  // Released between the two statements: claim again.
  if (!row) return claimWebhookDelivery(db, notice);
  if (row.delivered_at) return { outcome: "delivered", deliveredAt: row.delivered_at };
  return { outcome: "in_flight", claimedUntil: row.claimed_until ?? new Date() };
}

/** Records a claimed notice as delivered; false if the claim was no longer this caller's (its lease lapsed). */
export async function recordWebhookDelivered(db: DbExecutor, notice: WebhookNoticeRef & { token: string }): Promise<boolean> {
  const result = await db
    .updateTable("webhook_deliveries")
    .set({ delivered_at: sql<Date>`now()`, claim_token: null, claimed_until: null })
    .where("user_id", "=", notice.userId)
    .where("notice_id", "=", notice.noticeId)
    .where("claim_token", "=", notice.token)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Gives up a claim after a failed attempt, so that the retry (by any worker) can claim it at once. */
export async function releaseWebhookDelivery(db: DbExecutor, notice: WebhookNoticeRef & { token: string }): Promise<void> {
  await db
    .deleteFrom("webhook_deliveries")
    .where("user_id", "=", notice.userId)
    .where("notice_id", "=", notice.noticeId)
    .where("claim_token", "=", notice.token)
    .execute();
}

/** Forgets notices first claimed more than `olderThanSeconds` ago, at most `limit` per call; returns how many. */
export async function deleteOldWebhookDeliveries(db: DbExecutor, olderThanSeconds: number, limit = 10_000): Promise<number> {
  // Batched, so that a large backlog never holds one long delete.
  const batch = db
    .selectFrom("webhook_deliveries")
    .select(["user_id", "notice_id"])
    .where("created_at", "<", sql<Date>`now() - make_interval(secs => ${olderThanSeconds})`)
    .limit(limit);
  const result = await db
    .deleteFrom("webhook_deliveries")
    .where(sql<boolean>`(user_id, notice_id) IN (${batch})`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
