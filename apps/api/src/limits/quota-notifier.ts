import { quotaNoticeJobs } from "@secapi/events";
import { type LimitDecision, windowResetAtMs } from "@secapi/limiter";
import type { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import { SCAN_WINDOW_NAMES } from "@secapi/core";

/**
 * Tells a user (by webhook) when a scan quota runs out, and again when it frees up — once per window and limit:
 * the first denial sets a marker that lives until the window frees, so later denials stay quiet; the reset notice
 * is a delayed job due at that moment. The notices' ids and job ids derive from the user, the window, its limit and
 * when it frees, so a send repeated because a marker was lost (or a job re-added) is the same notice, delivered
 * once. Best effort: trouble here never fails the request.
 */
export class QuotaNotifier {
  constructor(private readonly deps: { redis: Redis | Cluster; webhooks: Queue; logger: Logger; prefix?: string }) {}

  async onScanQuotaDenied(userId: string, decision: LimitDecision, nowMs = Date.now()): Promise<void> {
    if (decision.outcome !== "denied" || !SCAN_WINDOW_NAMES.has(decision.deniedBy)) return;
    const window = decision.windows.find((w) => w.name === decision.deniedBy);
    if (!window) return;
    const resetAtMs = windowResetAtMs(window, nowMs);
    // A new limit (a tier change) is a new threshold: its exhaustion is told even within the same window.
    const marker = `${this.deps.prefix ?? "secapi:notify"}:{${userId}}:${window.name}:${window.limit}`;
    try {
      const first = await this.deps.redis.set(marker, "1", "PX", Math.max(1, resetAtMs - nowMs), "NX");
      if (first !== "OK") return;
      try {
        await this.deps.webhooks.addBulk(quotaNoticeJobs({ userId, window, resetAtMs, nowMs }));
      } catch (error) {
        // The next denial tries again: the jobs may have been added all the same, and then it adds nothing new.
        await this.deps.redis.del(marker).catch(() => undefined);
        throw error;
      }
    } catch (error) {
      this.deps.logger.warn({ err: error, userId, window: window.name }, "could not schedule quota notifications");
    }
  }
}
