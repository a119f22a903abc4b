import { describe, expect, it } from "vitest";
import { noticeId } from "./notice-id.js";
import { quotaNoticeJobs } from "./quota-notices.js";
import { webhookJobSchema } from "./webhook-job.js";

const userId = "7d3c2a52-4a5e-4c2f-9a53-1b1f2b9f4c11";
const window = { name: "scans-hour", limit: 10 };
const resetAtMs = Date.UTC(2031, 4, 2, 11, 0);

describe("noticeId", () => {
  it("is a version 8 UUID of its parts, the same every time", () => {
    const id = noticeId("scan.findings_changed", "event", userId);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(noticeId("scan.findings_changed", "event", userId)).toBe(id);
    expect(noticeId("scan.findings_changed", "event", "other")).not.toBe(id);
  });
});

describe("quotaNoticeJobs", () => {
  it("builds valid notices whose ids and job ids depend on the user, the window, its limit and its reset only", () => {
    const [exhausted, reset] = quotaNoticeJobs({ userId, window, resetAtMs, nowMs: resetAtMs - 600_000 });
    expect(webhookJobSchema.parse(exhausted.data)).toEqual(exhausted.data);
    expect(webhookJobSchema.parse(reset.data)).toEqual(reset.data);
    expect(reset.opts.delay).toBe(600_000);
    expect(reset.data).toMatchObject({
      type: "quota.reset",
      occurred_at: "2031-05-02T11:00:00.000Z",
      reset_at: "2031-05-02T11:00:00.000Z",
    });

    const later = quotaNoticeJobs({ userId, window, resetAtMs, nowMs: resetAtMs - 540_000 });
    expect(later.map((job) => [job.data.id, job.opts.jobId])).toEqual([
      [exhausted.data.id, exhausted.opts.jobId],
      [reset.data.id, reset.opts.jobId],
    ]);
    const others = [
      quotaNoticeJobs({ userId, window: { ...window, limit: 11 }, resetAtMs, nowMs: 0 }),
      quotaNoticeJobs({ userId, window: { ...window, name: "scans-month" }, resetAtMs, nowMs: 0 }),
      quotaNoticeJobs({ userId, window, resetAtMs: resetAtMs + 60_000, nowMs: 0 }),
    ];
    const ids = [exhausted, reset, ...others.flat()].map((job) => job.data.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
