import { randomUUID } from "node:crypto";
import { QUEUES, type QuotaNotification, defaultJobOptions } from "@secapi/events";
import type { LimitDecision, WindowState } from "@secapi/limiter";
import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { QuotaNotifier } from "../src/limits/quota-notifier.js";

let redis: Redis;
let prefix: string;
let webhooks: Queue;

beforeAll(() => {
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  prefix = uniqueId("quotanotice");
  webhooks = new Queue(QUEUES.webhooks, { connection: redis, prefix, defaultJobOptions: defaultJobOptions(QUEUES.webhooks) });
});
beforeEach(async () => {
  await webhooks.obliterate({ force: true });
  await deleteKeysByPrefix(redis, `${prefix}:`);
});
afterAll(async () => {
  await webhooks.obliterate({ force: true });
  await deleteKeysByPrefix(redis, `${prefix}:`);
  await webhooks.close();
  redis.disconnect();
});

/** An api process: its own notifier on the shared queue Redis. */
const apiProcess = () => new QuotaNotifier({ redis, webhooks, logger: pino({ level: "silent" }), prefix: `${prefix}:notify` });

/** The limiter's denial at `nowMs` of a scan window that frees at `freesAtMs` (Retry-After rounded up, as the limiter does). */
function denial(window: { name: "scans-hour" | "scans-month"; limit: number }, freesAtMs: number, nowMs: number): LimitDecision {
  const resetSeconds = Math.ceil((freesAtMs - nowMs) / 1000);
  const state: WindowState = {
    name: window.name,
    kind: window.name === "scans-hour" ? "sliding" : "calendar-month",
    ...(window.name === "scans-hour" && { windowSeconds: 3600 }),
    limit: window.limit,
    used: window.limit,
    remaining: 0,
    resetSeconds,
  };
  return { outcome: "denied", source: "redis", windows: [state], deniedBy: window.name, retryAfterSeconds: resetSeconds };
}

async function queuedNotices(): Promise<{ jobId: string; notice: QuotaNotification }[]> {
  const jobs = await webhooks.getJobs(["waiting", "delayed", "prioritized"]);
  return jobs
    .map((job) => ({ jobId: job.id ?? "", notice: job.data as QuotaNotification }))
    .sort((a, b) => a.notice.type.localeCompare(b.notice.type));
}

const markerOf = (userId: string) => redis.keys(`${prefix}:notify:{${userId}}:*`);

// A bucket boundary of the hour window, an hour ahead: when the user's oldest counted scans leave it.
const frees = Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;
const hour = { name: "scans-hour" as const, limit: 10 };

describe("quota notices", () => {
  it("are one notice of each kind per window, with the same ids whichever process sends them and however often", async () => {
    const userId = randomUUID();
    const first = frees - 3_000_000 + 123;
    await apiProcess().onScanQuotaDenied(userId, denial(hour, frees, first), first);
    const queued = await queuedNotices();
    expect(queued.map((q) => q.notice.type)).toEqual(["quota.exhausted", "quota.reset"]);
    expect(queued.every((q) => q.notice.reset_at === new Date(frees).toISOString())).toBe(true);

    // The marker lost (a queue Redis failover), then another api denies the same user 12.3 s later: the same
    // notices again, by id and by job id, so BullMQ keeps one job of each and receivers see one notice.
    expect(await markerOf(userId)).toHaveLength(1);
    await redis.del(...(await markerOf(userId)));
    const later = first + 12_345;
    await apiProcess().onScanQuotaDenied(userId, denial(hour, frees, later), later);
    const again = await queuedNotices();
    expect(again.map((q) => [q.jobId, q.notice.id])).toEqual(queued.map((q) => [q.jobId, q.notice.id]));

    // And once the jobs are gone too (delivered and removed, a flushed queue Redis), the notice re-added is still the
    // same notice: the webhook dedupe (`webhook_deliveries`, by notice id) does not send it twice.
    await webhooks.obliterate({ force: true });
    await redis.del(...(await markerOf(userId)));
    await apiProcess().onScanQuotaDenied(userId, denial(hour, frees, later + 1_000), later + 1_000);
    expect((await queuedNotices()).map((q) => q.notice.id)).toEqual(queued.map((q) => q.notice.id));
  });

  it("are new notices for another user, window, limit (a tier change) or the window's next exhaustion", async () => {
    const userId = randomUUID();
    const now = frees - 1_800_000;
    const idsFor = async (user: string, window: { name: "scans-hour" | "scans-month"; limit: number }, freesAt: number) => {
      await apiProcess().onScanQuotaDenied(user, denial(window, freesAt, now), now);
      const ids = (await queuedNotices()).map((q) => q.notice.id);
      await webhooks.obliterate({ force: true });
      return ids;
    };
    const nextMonth = new Date(now);
    const monthEnd = Date.UTC(nextMonth.getUTCFullYear(), nextMonth.getUTCMonth() + 1, 1);
    const all = [
      ...(await idsFor(userId, hour, frees)),
      ...(await idsFor(randomUUID(), hour, frees)),
      ...(await idsFor(userId, { ...hour, limit: 100 }, frees)),
      ...(await idsFor(userId, { name: "scans-month", limit: 10 }, monthEnd)),
    ];
    // The hour window exhausted again after it freed: a later reset, a new notice (its marker expired with the window).
    await deleteKeysByPrefix(redis, `${prefix}:notify:`);
    all.push(...(await idsFor(userId, hour, frees + 60_000)));
    expect(all).toHaveLength(10);
    expect(new Set(all).size).toBe(10);
  });

  it("tells a new limit's exhaustion within the same window, and nothing more for later denials", async () => {
    const userId = randomUUID();
    const now = frees - 1_800_000;
    const notifier = apiProcess();
    await notifier.onScanQuotaDenied(userId, denial(hour, frees, now), now);
    await notifier.onScanQuotaDenied(userId, denial(hour, frees, now + 5_000), now + 5_000);
    expect(await queuedNotices()).toHaveLength(2);
    // The user moved to a tier with a higher limit and ran out again, before the hour window freed.
    await notifier.onScanQuotaDenied(userId, denial({ ...hour, limit: 100 }, frees, now + 60_000), now + 60_000);
    const queued = await queuedNotices();
    expect(queued).toHaveLength(4);
    expect(queued.filter((q) => q.notice.type === "quota.exhausted").map((q) => q.notice.limit)).toEqual(expect.arrayContaining([10, 100]));
  });
});
