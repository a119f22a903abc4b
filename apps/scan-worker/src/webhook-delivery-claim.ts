import { type Db, type WebhookNoticeRef, claimWebhookDelivery, recordWebhookDelivered, releaseWebhookDelivery } from "@secapi/db";
import { DelayedError, type Job } from "bullmq";
import type { Logger } from "pino";
import { WebhookDeliveryError } from "./webhook-delivery-error.js";

/**
 * How much longer than the send's own timeout a claim lasts. A worker that stalls past it (a loaded event loop)
 * can be overtaken by another, which then sends too; too long, and a crashed worker's notice waits that long.
 */
const CLAIM_MARGIN_MS = 60_000;
/** Longest wait before looking again at a notice another worker is sending (it usually finishes in milliseconds). */
const IN_FLIGHT_RECHECK_MS = 5_000;

export interface DeliverOnceContext {
  db: Db;
  logger: Logger;
  /** The BullMQ job and its lock token: a notice another worker is sending puts the job back as delayed. */
  job: Job;
  token: string | undefined;
  sendTimeoutMs: number;
}

export type DeliverOnceOutcome = { outcome: "sent"; status: number } | { outcome: "already_delivered"; deliveredAt: Date };

/**
 * Runs `send` only if no worker has delivered this notice to this user yet, holding a claim in Postgres while it
 * runs: one of several racing workers sends, a failure gives the claim back (so the job's retry sends), and a
 * success is recorded for good. A crash between a 2xx and the record leaves a claim that lapses, after which a
 * retry sends again: at most one delivery per notice except in that window (receivers dedupe on SecAPI-Event-Id).
 */
export async function deliverOnce(
  ctx: DeliverOnceContext,
  notice: WebhookNoticeRef & { noticeType: string },
  send: () => Promise<number>,
): Promise<DeliverOnceOutcome> {
  const claim = await claimWebhookDelivery(ctx.db, { ...notice, leaseMs: ctx.sendTimeoutMs + CLAIM_MARGIN_MS });
  if (claim.outcome === "delivered") return { outcome: "already_delivered", deliveredAt: claim.deliveredAt };
  if (claim.outcome === "in_flight") {
    const wait = Math.min(Math.max(claim.claimedUntil.getTime() - Date.now(), 100), IN_FLIGHT_RECHECK_MS);
    // Not a failed attempt: the other worker's outcome decides whether this job has anything left to do.
    if (ctx.token) {
      await ctx.job.moveToDelayed(Date.now() + wait, ctx.token);
      throw new DelayedError();
    }
    throw new WebhookDeliveryError(`notice ${notice.noticeId} is being delivered by another worker`);
  }

  let status: number;
  try {
    status = await send();
  } catch (error) {
    await releaseWebhookDelivery(ctx.db, { ...notice, token: claim.token }).catch((releaseError: unknown) =>
      // The claim lapses on its own; the retry waits for that.
      ctx.logger.warn({ err: releaseError, noticeId: notice.noticeId }, "could not release a webhook claim"),
    );
    throw error;
  }
  // Sent: whatever happens to the record now, this job is done, since retrying would send again.
  const recorded = await recordWebhookDelivered(ctx.db, { ...notice, token: claim.token }).catch((error: unknown) => {
    ctx.logger.error({ err: error, noticeId: notice.noticeId }, "webhook delivered but not recorded; a re-queued copy may be sent again");
    return true;
  });
  if (!recorded)
    ctx.logger.warn({ noticeId: notice.noticeId }, "webhook claim lapsed during the send; another worker may have sent it too");
  return { outcome: "sent", status };
}
