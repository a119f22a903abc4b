import { noticeId } from "./notice-id.js";
import type { QuotaNotification } from "./webhook-job.js";

/** A quota notice as queued on `webhooks`: its job id and, for the reset notice, the delay until the window frees. */
export interface QuotaNoticeJob {
  name: QuotaNotification["type"];
  data: QuotaNotification;
  opts: { jobId: string; delay?: number };
}

/**
 * The two notices of one exhausted scan quota: `quota.exhausted` now and `quota.reset` (delayed) when the window
 * frees. Their ids and job ids derive from the user, the window, its limit (the threshold crossed) and the moment it
 * frees, nothing else: whichever process sends them, however often, a window's exhaustion is one notice of each
 * kind, which BullMQ (job id) and the webhook dedupe (notice id) keep to one delivery.
 */
export function quotaNoticeJobs(notice: {
  userId: string;
  window: { name: string; limit: number };
  /** When the window frees, on its own grid (the limiter's `windowResetAtMs`). */
  resetAtMs: number;
  nowMs: number;
}): [exhausted: QuotaNoticeJob, reset: QuotaNoticeJob] {
  const { userId, window, resetAtMs, nowMs } = notice;
  const slot = [userId, window.name, String(window.limit), String(resetAtMs)];
  const base = { user_id: userId, window: window.name, limit: window.limit, reset_at: new Date(resetAtMs).toISOString() };
  const exhausted: QuotaNotification = {
    id: noticeId("quota.exhausted", ...slot),
    type: "quota.exhausted",
    occurred_at: new Date(nowMs).toISOString(),
    ...base,
  };
  const reset: QuotaNotification = { id: noticeId("quota.reset", ...slot), type: "quota.reset", occurred_at: base.reset_at, ...base };
  return [
    { name: exhausted.type, data: exhausted, opts: { jobId: `exhausted-${slot.join("-")}` } },
    { name: reset.type, data: reset, opts: { jobId: `reset-${slot.join("-")}`, delay: Math.max(0, resetAtMs - nowMs) } },
  ];
}
