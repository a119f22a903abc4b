import { randomUUID } from "node:crypto";
import { lookup } from "node:dns/promises";
import { Writable } from "node:stream";
import { type HostResolver, generateWebhookSecret, verifyWebhookSignature } from "@secapi/core";
import { type Db, createDb, createPool, updateUserWebhook } from "@secapi/db";
import { QUEUES, type QueueName, closeQueues, createQueues } from "@secapi/events";
import { TEST_REDIS_URL, type TestDatabase, WebhookReceiver, createTestDatabase, uniqueId, waitFor } from "@secapi/testing";
import { type Job, type Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWebhookProcessor } from "../src/webhook-processor.js";

/** A receiver on 127.0.0.1, and a name for it that only the injected resolver knows (others go to the system's). */
const FAKE_HOST = "hooks.example.test";
const logLines: Array<{ level: number; msg: string; reason?: string }> = [];
const resolverCalls: string[] = [];
const toLoopback: HostResolver = async (hostname) => {
  resolverCalls.push(hostname);
  return hostname === FAKE_HOST ? [{ address: "127.0.0.1", family: 4 }] : lookup(hostname, { all: true });
};

let database: TestDatabase;
let db: Db;
let redis: Redis;
let receiver: WebhookReceiver;
let port: number;
/** One worker per policy, each on a queue set of its own. */
const stacks: Array<{ queues: Record<QueueName, Queue>; worker: Worker }> = [];
let strict: Queue;
let permissive: Queue;

function startWorker(allowPrivate: boolean): Queue {
  const prefix = uniqueId("wh");
  const queues = createQueues({ connection: redis, prefix });
  const logger = pino(
    { level: "info" },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as (typeof logLines)[number]);
        done();
      },
    }),
  );
  const processor = createWebhookProcessor({ db, logger, allowPrivate, resolve: toLoopback, timeoutMs: 30_000 });
  const worker = new Worker(QUEUES.webhooks, processor, { connection: redis.duplicate(), prefix, concurrency: 2 });
  stacks.push({ queues, worker });
  return queues[QUEUES.webhooks];
}

beforeAll(async () => {
  receiver = await WebhookReceiver.start();
  port = receiver.port;
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 4 }));
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  strict = startWorker(false);
  permissive = startWorker(true);
});

afterAll(async () => {
  for (const { queues, worker } of stacks) {
    await worker.close();
    await queues[QUEUES.webhooks].obliterate({ force: true });
    await closeQueues(queues);
  }
  redis.disconnect();
  await db.destroy();
  await database.drop();
  await receiver.close();
});

/** A user whose webhook is `url` (as if set before the policy, or resolving elsewhere since). */
async function userWithWebhook(url: string): Promise<{ id: string; secret: string }> {
  const { id } = await db
    .insertInto("users")
    .values({ email: `${uniqueId("u")}@example.com`, tier: "free", webhook_url: null })
    .returning("id")
    .executeTakeFirstOrThrow();
  const secret = generateWebhookSecret();
  await updateUserWebhook(db, id, { url, secret });
  return { id, secret };
}

async function notify(queue: Queue, userId: string): Promise<Job> {
  const now = new Date().toISOString();
  return queue.add("quota.exhausted", {
    id: randomUUID(),
    type: "quota.exhausted",
    user_id: userId,
    window: "scans-hour",
    limit: 10,
    reset_at: now,
    occurred_at: now,
  });
}

async function settled(queue: Queue, job: Job): Promise<Job> {
  return waitFor(
    async () => {
      const state = await queue.getJobState(job.id ?? "");
      if (state !== "completed" && state !== "failed" && state !== "delayed") return undefined;
      // Read after the state: a copy read before it may predate the attempt that settled it (a loaded machine).
      const current = await queue.getJob(job.id ?? "");
      return state !== "delayed" || (current?.attemptsMade ?? 0) > 0 ? current : undefined;
    },
    { timeoutMs: 60_000, what: `webhook job ${job.id} to settle` },
  );
}

const deliveriesTo = (path: string) => receiver.received.filter((r) => r.path === path);

// Generous deadlines: a delivery to this process's own receiver must not time out (and be retried) because
// the machine is loaded; no test here is about the delivery timeout.
describe("webhook delivery policy", { timeout: 180_000 }, () => {
  it.each([
    ["localhost", () => `http://localhost:${port}/strict-localhost`],
    ["a hostname that resolves to 127.0.0.1", () => `http://${FAKE_HOST}:${port}/strict-fake`],
    ["a loopback literal in another form", () => `http://2130706433:${port}/strict-decimal`],
  ])("refuses %s without WEBHOOK_ALLOW_PRIVATE: the job fails at once, for good, and nothing is sent", async (_what, url) => {
    const target = url();
    const user = await userWithWebhook(target);
    const job = await settled(strict, await notify(strict, user.id));
    expect(job.opts.attempts).toBe(8);
    expect(await job.getState()).toBe("failed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain("loopback address");
    expect(job.failedReason).toContain("WEBHOOK_ALLOW_PRIVATE");
    expect(deliveriesTo(new URL(target).pathname)).toEqual([]);
    expect(logLines).toContainEqual(expect.objectContaining({ level: 40, msg: "webhook refused; not retried", reason: job.failedReason }));
  });

  it("with WEBHOOK_ALLOW_PRIVATE delivers to the address the host resolved to once, keeping the host name", async () => {
    const user = await userWithWebhook(`http://${FAKE_HOST}:${port}/permissive-fake?x=1`);
    const before = resolverCalls.length;
    const job = await settled(permissive, await notify(permissive, user.id));
    expect(await job.getState()).toBe("completed");
    expect(job.returnvalue).toEqual({ delivered: true, status: 204 });
    // The system resolver does not know this name: the request reached the receiver through the pinned address.
    expect(resolverCalls.slice(before)).toEqual([FAKE_HOST]);
    const [delivery] = deliveriesTo("/permissive-fake?x=1");
    expect(delivery?.host).toBe(`${FAKE_HOST}:${port}`);
    expect(verifyWebhookSignature(user.secret, delivery?.signature, delivery?.body ?? "")).toBe(true);
    expect(JSON.parse(delivery?.body ?? "{}")).toMatchObject({ type: "quota.exhausted", user_id: user.id });
  });

  it("with WEBHOOK_ALLOW_PRIVATE delivers to localhost", async () => {
    const user = await userWithWebhook(`http://localhost:${port}/permissive-localhost`);
    const job = await settled(permissive, await notify(permissive, user.id));
    expect(await job.getState()).toBe("completed");
    expect(deliveriesTo("/permissive-localhost")).toHaveLength(1);
  });

  it("retries a host that does not resolve (a transient failure), unlike a forbidden one", async () => {
    const user = await userWithWebhook("https://receiver.nowhere.invalid/hook");
    const job = await settled(strict, await notify(strict, user.id));
    expect(await job.getState()).toBe("delayed");
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toContain("did not resolve");
    await job.remove();
  });
});

describe("scan.findings_changed delivery", { timeout: 180_000 }, () => {
  it("POSTs the notice signed like a quota notice, with the notice id as SecAPI-Event-Id, under the same retries", async () => {
    const user = await userWithWebhook(`http://localhost:${port}/findings-changed`);
    const scanId = randomUUID();
    const notice = {
      id: randomUUID(),
      type: "scan.findings_changed",
      user_id: user.id,
      event_id: randomUUID(),
      scan_ids: [scanId],
      added: [{ id: "GHSA-35jh-r3h4-6jhm", ecosystem: "npm", package: "lodash", version: "4.17.20", severity: "high" }],
      removed: [],
      occurred_at: new Date().toISOString(),
    };
    const job = await settled(
      permissive,
      await permissive.add(notice.type, notice, { jobId: `findings-changed-${notice.event_id}-${user.id}` }),
    );
    expect(await job.getState()).toBe("completed");
    expect(job.opts.attempts).toBe(8);
    const [delivery] = deliveriesTo("/findings-changed");
    expect(verifyWebhookSignature(user.secret, delivery?.signature, delivery?.body ?? "")).toBe(true);
    expect(JSON.parse(delivery?.body ?? "{}")).toEqual(notice);
  });

  it("refuses a malformed findings notice without retrying", async () => {
    const user = await userWithWebhook(`http://localhost:${port}/findings-malformed`);
    const job = await settled(
      permissive,
      await permissive.add("scan.findings_changed", { id: randomUUID(), type: "scan.findings_changed", user_id: user.id, scan_ids: [] }),
    );
    expect(await job.getState()).toBe("failed");
    expect(job.failedReason).toContain("malformed");
    expect(deliveriesTo("/findings-malformed")).toEqual([]);
  });
});
