import { randomUUID } from "node:crypto";
import type { WebhookNotification } from "@secapi/events";
import type { LimitDecision } from "@secapi/limiter";
import type { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import { SCAN_WINDOW_NAMES } from "@secapi/core";

/**
 * Tells a user (by webhook) when a scan quota runs out, and again when it frees up — once per window:
 * the first denial sets a marker that lives until the window frees, so later denials stay quiet; the
 * reset notice is a delayed job due at that moment. Best effort: trouble here never fails the request.
 */
export class QuotaNotifier {
  constructor(private readonly deps: { redis: Redis | Cluster; webhooks: Queue; logger: Logger; prefix?: string }) {}

  async onScanQuotaDenied(userId: string, decision: LimitDecision): Promise<void> {
    if (decision.outcome !== "denied" || !SCAN_WINDOW_NAMES.has(decision.deniedBy)) return;
    const window = decision.windows.find((w) => w.name === decision.deniedBy);
    if (!window) return;
    const retryAfterMs = Math.max(1, decision.retryAfterSeconds) * 1000;
    const marker = `${this.deps.prefix ?? "secapi:notify"}:{${userId}}:${window.name}`;
    try {
      const first = await this.deps.redis.set(marker, "1", "PX", retryAfterMs, "NX");
      if (first !== "OK") return;
      const now = new Date();
      const resetAt = new Date(now.getTime() + retryAfterMs);
      const base = { user_id: userId, window: window.name, limit: window.limit, reset_at: resetAt.toISOString() };
      const exhausted: WebhookNotification = { id: randomUUID(), type: "quota.exhausted", occurred_at: now.toISOString(), ...base };
      const reset: WebhookNotification = { id: randomUUID(), type: "quota.reset", occurred_at: resetAt.toISOString(), ...base };
      const slot = `${userId}-${window.name}-${resetAt.getTime()}`;
      await this.deps.webhooks.addBulk([
        { name: exhausted.type, data: exhausted, opts: { jobId: `exhausted-${slot}` } },
        { name: reset.type, data: reset, opts: { jobId: `reset-${slot}`, delay: retryAfterMs } },
      ]);
    } catch (error) {
      this.deps.logger.warn({ err: error, userId, window: window.name }, "could not schedule quota notifications");
    }
  }
}
