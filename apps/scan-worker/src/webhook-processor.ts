import http from "node:http";
import https from "node:https";
import {
  type HostResolver,
  WEBHOOK_SIGNATURE_HEADER,
  type WebhookTarget,
  WebhookTargetForbiddenError,
  pinnedLookup,
  resolveWebhookTarget,
  signWebhook,
} from "@secapi/core";
import { type Db, findUserById } from "@secapi/db";
import { webhookJobSchema } from "@secapi/events";
import { type Job, UnrecoverableError } from "bullmq";
import { deliverOnce } from "./webhook-delivery-claim.js";
import { WebhookDeliveryError } from "./webhook-delivery-error.js";
import type { Logger } from "pino";

export interface WebhookProcessorDeps {
  db: Db;
  logger: Logger;
  /** WEBHOOK_ALLOW_PRIVATE: deliver to loopback, private and link-local addresses too. */
  allowPrivate: boolean;
  /** The resolver used once per delivery (tests inject one); the system resolver by default. */
  resolve?: HostResolver;
  timeoutMs?: number;
}

/**
 * POSTs `body` to the target, connecting only to the addresses that were checked (a fresh connection each time:
 * a pooled one could belong to another policy). Redirects are not followed: a 3xx is an answer like any other.
 */
function post(target: WebhookTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<number> {
  const request = target.url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = request(
      target.url,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(target.addresses),
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    req.once("error", reject);
    req.end(body);
  });
}

/**
 * Delivers one notification (quota, findings changed): signs the exact body with the user's secret and POSTs it. A non-2xx
 * answer, a timeout or a host that does not resolve throws, so BullMQ retries with back-off; a user without a
 * webhook (any more) is done. A target that is or now resolves to a forbidden address fails for good at once.
 * A notice already delivered to that user (recorded in Postgres, whatever became of its job) is not sent again.
 */
export function createWebhookProcessor(deps: WebhookProcessorDeps) {
  const timeoutMs = deps.timeoutMs ?? 5000;
  return async function deliverWebhook(job: Job, token?: string): Promise<{ delivered: boolean; status?: number; deliveredAt?: string }> {
    const parsed = webhookJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("malformed webhook job");
    const notification = parsed.data;
    const user = await findUserById(deps.db, notification.user_id);
    if (!user?.webhook_url || !user.webhook_secret) return { delivered: false };

    // Resolved once, here: the connection goes to these addresses, so DNS cannot answer differently later.
    const target = await resolveWebhookTarget(user.webhook_url, { allowPrivate: deps.allowPrivate, resolve: deps.resolve }).catch(
      (error: Error) => {
        if (error instanceof WebhookTargetForbiddenError) {
          deps.logger.warn({ userId: user.id, notification: notification.type, reason: error.message }, "webhook refused; not retried");
          throw new UnrecoverableError(error.message);
        }
        throw new WebhookDeliveryError(`POST ${user.webhook_url} failed: ${error.message}`);
      },
    );
    const body = JSON.stringify(notification);
    const headers = {
      "Content-Type": "application/json",
      "User-Agent": "SecAPI-Webhooks/1",
      "SecAPI-Event-Id": notification.id,
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook(user.webhook_secret, body),
    };
    const outcome = await deliverOnce(
      { db: deps.db, logger: deps.logger, job, token, sendTimeoutMs: timeoutMs },
      { userId: user.id, noticeId: notification.id, noticeType: notification.type },
      async () => {
        const status = await post(target, headers, body, timeoutMs).catch((error: Error) => {
          throw new WebhookDeliveryError(`POST ${user.webhook_url} failed: ${error.message}`);
        });
        if (status < 200 || status >= 300) {
          throw new WebhookDeliveryError(`POST ${user.webhook_url} answered ${status}`);
        }
        return status;
      },
    );
    if (outcome.outcome === "already_delivered") {
      deps.logger.info(
        { notification: notification.type, notificationId: notification.id, userId: user.id },
        "webhook already delivered; not sent again",
      );
      return { delivered: false, deliveredAt: outcome.deliveredAt.toISOString() };
    }
    deps.logger.info({ notification: notification.type, notificationId: notification.id, userId: user.id }, "webhook delivered");
    return { delivered: true, status: outcome.status };
  };
}
