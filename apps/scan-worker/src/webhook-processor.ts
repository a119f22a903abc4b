import { WEBHOOK_SIGNATURE_HEADER, signWebhook } from "@secapi/core";
import { type Db, findUserById } from "@secapi/db";
import { webhookJobSchema } from "@secapi/events";
import { type Job, UnrecoverableError } from "bullmq";
import type { Logger } from "pino";

export class WebhookDeliveryError extends Error {
  readonly code = "webhook_delivery_failed";
}

/**
 * Delivers one quota notification: signs the exact body with the user's secret and POSTs it. A non-2xx
 * answer or a timeout throws, so BullMQ retries with back-off; a user without a webhook (any more) is done.
 */
export function createWebhookProcessor(deps: { db: Db; logger: Logger; timeoutMs?: number }) {
  return async function deliverWebhook(job: Job): Promise<{ delivered: boolean; status?: number }> {
    const parsed = webhookJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("malformed webhook job");
    const notification = parsed.data;
    const user = await findUserById(deps.db, notification.user_id);
    if (!user?.webhook_url || !user.webhook_secret) return { delivered: false };

    const body = JSON.stringify(notification);
    const response = await fetch(user.webhook_url, {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        "User-Agent": "SecAPI-Webhooks/1",
        "SecAPI-Event-Id": notification.id,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhook(user.webhook_secret, body),
      },
      body,
      signal: AbortSignal.timeout(deps.timeoutMs ?? 5000),
      redirect: "manual",
    }).catch((error: Error) => {
      throw new WebhookDeliveryError(`POST ${user.webhook_url} failed: ${error.message}`);
    });
    if (response.status < 200 || response.status >= 300) {
      throw new WebhookDeliveryError(`POST ${user.webhook_url} answered ${response.status}`);
    }
    deps.logger.info({ notification: notification.type, userId: user.id, window: notification.window }, "webhook delivered");
    return { delivered: true, status: response.status };
  };
}
