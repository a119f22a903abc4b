import { randomUUID } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { generateWebhookSecret } from "@secapi/core";
import { type Db, createDb, createPool, updateUserWebhook } from "@secapi/db";
import { QUEUES, type QueueName, type WebhookNotification, closeQueues, createQueues, quotaNoticeJobs } from "@secapi/events";
import { TEST_REDIS_URL, type TestDatabase, createTestDatabase, uniqueId, waitFor } from "@secapi/testing";
import { type Job, type Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebhookDeliveryRetention } from "../src/webhook-delivery-retention.js";
import { createWebhookProcessor } from "../src/webhook-processor.js";

/** What the receiver answers per path: a list of statuses used in turn (the last one repeats). */
const answers = new Map<string, number[]>();
/** Every POST the receiver got, by path, with its `SecAPI-Event-Id`. */
const received: Array<{ path: string; eventId: string | undefined }> = [];

let database: TestDatabase;
let db: Db;
let redis: Redis;
let receiver: Server;
let port: number;
let prefix: string;
let queues: Record<QueueName, Queue>;
let webhooks: Queue;
const workers: Worker[] = [];

/** A scan-worker's webhook worker, on a connection of its own (two of them stand for two processes). */
function startWorker(): Worker {
  const processor = createWebhookProcessor({ db, logger: pino({ level: "silent" }), allowPrivate: true, timeoutMs: 30_000 });
  const worker = new Worker(QUEUES.webhooks, processor, { connection: redis.duplicate(), prefix, concurrency: 4 });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const path = req.url ?? "";
      received.push({ path, eventId: req.headers["secapi-event-id"] as string | undefined });
      const queue = answers.get(path) ?? [204];
      const status = queue.length > 1 ? queue.shift()! : queue[0]!;
      // Held a little, so that two workers given the same notice overlap.
      setTimeout(() => res.writeHead(status).end(), 300);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  port = (receiver.address() as AddressInfo).port;
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 8 }));
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  prefix = uniqueId("whdedupe");
  queues = createQueues({ connection: redis, prefix });
  webhooks = queues[QUEUES.webhooks];
  startWorker();
  startWorker();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await webhooks.obliterate({ force: true });
  await closeQueues(queues);
  redis.disconnect();
  await db.destroy();
  await database.drop();
  await new Promise((resolve) => receiver.close(resolve));
});

async function userWithWebhook(path: string): Promise<string> {
  const { id } = await db
    .insertInto("users")
    .values({ email: `${uniqueId("u")}@example.com`, tier: "pro", webhook_url: null })
    .returning("id")
    .executeTakeFirstOrThrow();
  await updateUserWebhook(db, id, { url: `http://127.0.0.1:${port}${path}`, secret: generateWebhookSecret() });
  return id;
}

function quotaNotice(userId: string): WebhookNotification {
  const now = new Date().toISOString();
  return { id: randomUUID(), type: "quota.exhausted", user_id: userId, window: "scans-hour", limit: 10, reset_at: now, occurred_at: now };
}

async function finished(job: Job): Promise<Job> {
  return waitFor(
    async () => {
      const state = await webhooks.getJobState(job.id ?? "");
      return state === "completed" || state === "failed" ? webhooks.getJob(job.id ?? "") : undefined;
    },
    { timeoutMs: 90_000, what: `webhook job ${job.id} to finish` },
  );
}

/** Every key of this test's queues gone, as after losing the queue Redis (only this prefix: the Redis is shared). */
async function flushQueueRedis(): Promise<void> {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
}

const postsTo = (path: string) => received.filter((r) => r.path === path);

describe("durable webhook de-duplication", { timeout: 180_000 }, () => {
  it("delivers a notice queued twice (two jobs, two workers racing) once", async () => {
    const path = `/race-${randomUUID()}`;
    const notice = quotaNotice(await userWithWebhook(path));
    const jobs = await webhooks.addBulk(
      Array.from({ length: 4 }, (_, i) => ({ name: notice.type, data: notice, opts: { jobId: `race-${notice.id}-${i}` } })),
    );
    const done = await Promise.all(jobs.map(finished));
    expect(await Promise.all(done.map((j) => j.getState()))).toEqual(["completed", "completed", "completed", "completed"]);
    expect(postsTo(path)).toEqual([{ path, eventId: notice.id }]);
    const values = done.map((j) => j.returnvalue as { delivered: boolean; deliveredAt?: string });
    expect(values.filter((v) => v.delivered)).toHaveLength(1);
    expect(values.filter((v) => !v.delivered && v.deliveredAt)).toHaveLength(3);
    // A job that found the notice in flight waited for the other worker instead of spending an attempt.
    expect(done.every((j) => j.attemptsMade <= 1)).toBe(true);
  });

  it("does not deliver a notice again after the queue Redis lost its job (the same job id re-queued)", async () => {
    const path = `/flush-${randomUUID()}`;
    const notice = quotaNotice(await userWithWebhook(path));
    const jobId = `findings-changed-${randomUUID()}-${notice.user_id}`;
    const first = await finished(await webhooks.add(notice.type, notice, { jobId }));
    expect(first.returnvalue).toEqual({ delivered: true, status: 204 });

    await flushQueueRedis();
    expect(await webhooks.getJob(jobId)).toBeUndefined();
    const again = await finished(await webhooks.add(notice.type, notice, { jobId }));
    expect(again.returnvalue).toMatchObject({ delivered: false, deliveredAt: expect.any(String) });
    expect(postsTo(path)).toHaveLength(1);
  });

  it("delivers a quota exhaustion once when another api queues it again after the marker and the job were lost", async () => {
    const path = `/quota-again-${randomUUID()}`;
    const userId = await userWithWebhook(path);
    const window = { name: "scans-hour", limit: 10 };
    const resetAtMs = Math.ceil(Date.now() / 60_000) * 60_000 + 3_600_000;
    const [exhausted] = quotaNoticeJobs({ userId, window, resetAtMs, nowMs: Date.now() });
    const first = await finished(await webhooks.add(exhausted.name, exhausted.data, exhausted.opts));
    expect(first.returnvalue).toEqual({ delivered: true, status: 204 });

    await flushQueueRedis();
    // Built anew, later, by another process: a body of its own (occurred_at), but the same notice.
    const [again] = quotaNoticeJobs({ userId, window, resetAtMs, nowMs: Date.now() + 7_000 });
    expect(again.data.occurred_at).not.toBe(exhausted.data.occurred_at);
    const second = await finished(await webhooks.add(again.name, again.data, again.opts));
    expect(second.returnvalue).toMatchObject({ delivered: false, deliveredAt: expect.any(String) });
    expect(postsTo(path)).toEqual([{ path, eventId: exhausted.data.id }]);
  });

  it("still retries a failed delivery, then records it once", async () => {
    const path = `/flaky-${randomUUID()}`;
    answers.set(path, [500, 503, 204]);
    const notice = quotaNotice(await userWithWebhook(path));
    const job = await finished(await webhooks.add(notice.type, notice, { backoff: { type: "fixed", delay: 200 } }));
    expect(await job.getState()).toBe("completed");
    expect(job.attemptsMade).toBe(3);
    expect(job.returnvalue).toEqual({ delivered: true, status: 204 });
    expect(postsTo(path)).toHaveLength(3);
    const row = await db
      .selectFrom("webhook_deliveries")
      .selectAll()
      .where("user_id", "=", notice.user_id)
      .where("notice_id", "=", notice.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ notice_type: "quota.exhausted", claim_token: null, claimed_until: null, delivered_at: expect.any(Date) });
  });

  it("sends a notice whose claim a crashed worker left behind once the claim lapses", async () => {
    const path = `/crashed-${randomUUID()}`;
    const notice = quotaNotice(await userWithWebhook(path));
    await db
      .insertInto("webhook_deliveries")
      .values({
        user_id: notice.user_id,
        notice_id: notice.id,
        notice_type: notice.type,
        claim_token: randomUUID(),
        claimed_until: new Date(Date.now() - 1000),
      })
      .execute();
    const job = await finished(await webhooks.add(notice.type, notice));
    expect(job.returnvalue).toEqual({ delivered: true, status: 204 });
    expect(postsTo(path)).toHaveLength(1);
  });

  it("forgets records past the retention window, batch after batch, and keeps the recent ones", async () => {
    const userId = await userWithWebhook(`/retention-${randomUUID()}`);
    const ids = Array.from({ length: 5 }, () => randomUUID());
    await db
      .insertInto("webhook_deliveries")
      .values(
        ids.map((id) => ({
          user_id: userId,
          notice_id: id,
          notice_type: "quota.reset",
          claim_token: null,
          claimed_until: null,
          delivered_at: new Date(),
        })),
      )
      .execute();
    await db
      .updateTable("webhook_deliveries")
      .set({ created_at: sql<Date>`now() - interval '2 days'` })
      .where("notice_id", "in", ids.slice(0, 3))
      .execute();
    const retention = new WebhookDeliveryRetention({ db, logger: pino({ level: "silent" }), retentionSeconds: 24 * 3600, batchSize: 2 });
    expect(await retention.sweep()).toBe(3);
    const left = await db.selectFrom("webhook_deliveries").select("notice_id").where("user_id", "=", userId).execute();
    expect(left.map((r) => r.notice_id).sort()).toEqual(ids.slice(3).sort());
  });
});
