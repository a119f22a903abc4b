import { TEST_REDIS_URL, TestRedisServer, deleteKeysByPrefix, uniqueId, waitFor } from "@secapi/testing";
import { FlowProducer, Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SecapiMetrics, createMetrics } from "../src/index.js";
import { parseScrape, samplesOf } from "../src/scrape.fixture.js";

async function queueJobs(metrics: SecapiMetrics): Promise<Record<string, number>> {
  const samples = samplesOf(parseScrape(await metrics.registry.metrics()), "secapi_queue_jobs");
  return Object.fromEntries(samples.map((s) => [`${s.labels.queue}/${s.labels.state}`, s.value]));
}

describe("trackQueues on real BullMQ queues", () => {
  const prefix = uniqueId("metrics");
  let redis: Redis;
  let scans: Queue;
  let events: Queue;

  beforeAll(() => {
    // BullMQ workers need a connection that retries forever.
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    scans = new Queue("scans", { connection: redis, prefix });
    events = new Queue("events", { connection: redis, prefix });
  });

  afterAll(async () => {
    await Promise.all([scans.obliterate({ force: true }), events.obliterate({ force: true })]);
    await Promise.all([scans.close(), events.close()]);
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  });

  it("reports the job count of every state, per queue", async () => {
    await scans.addBulk([1, 2, 3, 4].map((n) => ({ name: "scan", data: { n } })));
    // A worker without a processor hands jobs out one by one, so each can be put in the state the test wants.
    const worker = new Worker("scans", null, { connection: redis, prefix, autorun: false });
    const token = uniqueId("token");
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => worker.getNextJob(token, { block: false })));
    await worker.getNextJob(token, { block: false });
    await first?.moveToCompleted("ok", token, false);
    await second?.moveToCompleted("ok", token, false);
    await third?.moveToFailed(new Error("scanner crashed"), token, false);
    await worker.close();

    await scans.addBulk([5, 6, 7].map((n) => ({ name: "scan", data: { n } })));
    await scans.add("scan", { n: 8 }, { delay: 60_000 });
    await scans.addBulk([9, 10].map((n) => ({ name: "scan", data: { n }, opts: { priority: 5 } })));
    const flows = new FlowProducer({ connection: redis, prefix });
    await flows.add({ name: "parent", queueName: "scans", children: [{ name: "child", queueName: "scans" }] });
    await flows.close();
    await events.add("scan.completed", {});

    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    metrics.trackQueues([scans, events]);
    expect(await queueJobs(metrics)).toEqual({
      "scans/waiting": 4,
      "scans/active": 1,
      "scans/delayed": 1,
      "scans/completed": 2,
      "scans/failed": 1,
      "scans/prioritized": 2,
      "scans/waiting-children": 1,
      "events/waiting": 1,
      "events/active": 0,
      "events/delayed": 0,
      "events/completed": 0,
      "events/failed": 0,
      "events/prioritized": 0,
      "events/waiting-children": 0,
    });

    await events.add("scan.deleted", {});
    expect((await queueJobs(metrics))["events/waiting"]).toBe(2);
  });
});

describe("trackQueues while the queue Redis is down", () => {
  let server: TestRedisServer;
  let redis: Redis;
  let queue: Queue;

  beforeAll(async () => {
    server = await TestRedisServer.start();
    // Retrying forever, like a BullMQ worker's connection: while Redis is down its commands wait, not fail.
    redis = new Redis(server.url(), { maxRetriesPerRequest: null, retryStrategy: () => 50 });
    redis.on("error", () => undefined);
    queue = new Queue("scans", { connection: redis, prefix: uniqueId("metrics") });
    queue.on("error", () => undefined);
  });

  afterAll(async () => {
    await queue.close();
    redis.disconnect();
    await server.stop();
  });

  it("keeps the last counts within the timeout, then follows Redis again once it is back", async () => {
    const metrics = createMetrics({ service: "scan-worker", defaultMetrics: false, queueCountTimeoutMs: 200 });
    metrics.trackQueues([queue]);
    await queue.addBulk([1, 2].map((n) => ({ name: "scan", data: { n } })));
    expect((await queueJobs(metrics))["scans/waiting"]).toBe(2);

    // Redis stays down until the scrape has answered: it did not wait for it.
    await server.stop();
    expect((await queueJobs(metrics))["scans/waiting"]).toBe(2);

    // The restarted server kept nothing on disk: the queue is empty now.
    await server.start();
    await waitFor(async () => (await queueJobs(metrics))["scans/waiting"] === 0, { what: "counts after Redis came back" });
  });
});
