import { scanTag, userTag } from "@secapi/core";
import { findScanOwnersWithWebhooks } from "@secapi/db";
import { type EventOf, type FindingsChangedNotification, noticeId } from "@secapi/events";
import type { CacheWorkerContext } from "./context.js";

/**
 * Applies `scan.findings_changed`: the marked scans' views and their owners' lists are dropped (they now show
 * `findings_changed_at`), and each owner with a webhook gets one notice with only their scans. The notice's job
 * id and body id derive from the event and the user, so a redelivered event queues nothing new while BullMQ keeps
 * the first job under that id, and once it forgot it (retention, a lost queue Redis) the scan-worker finds the
 * notice id among the delivered ones in Postgres and does not send it again (`webhook_deliveries`).
 */
export async function notifyFindingsChanged(
  ctx: CacheWorkerContext,
  event: EventOf<"scan.findings_changed">,
): Promise<{ invalidated: number; queued: number }> {
  const { scanIds, userIds, added, removed } = event.data;
  const invalidated = await ctx.cache.invalidateTags([...scanIds.map(scanTag), ...userIds.map(userTag)]);
  const byUser = new Map<string, string[]>();
  for (const scan of await findScanOwnersWithWebhooks(ctx.db, scanIds)) {
    byUser.set(scan.user_id, [...(byUser.get(scan.user_id) ?? []), scan.id]);
  }
  if (byUser.size === 0) return { invalidated, queued: 0 };
  const jobs = [...byUser].map(([userId, ids]) => {
    const notice: FindingsChangedNotification = {
      id: noticeId("scan.findings_changed", event.id, userId),
      type: "scan.findings_changed",
      user_id: userId,
      event_id: event.id,
      scan_ids: ids,
      added,
      removed,
      occurred_at: new Date(event.occurred_at).toISOString(),
    };
    return { name: notice.type, data: notice, opts: { jobId: `findings-changed-${event.id}-${userId}` } };
  });
  await ctx.webhooks.addBulk(jobs);
  return { invalidated, queued: jobs.length };
}
