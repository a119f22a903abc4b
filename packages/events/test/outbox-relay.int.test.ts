import { setTimeout as sleep } from "node:timers/promises";
import { type Db, createDb, createPool } from "@secapi/db";
import { TestRedisServer, type TestDatabase, createTestDatabase, uniqueId, waitFor } from "@secapi/testing";
import type { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  OutboxRelay,
  QUEUES,
  type QueueName,
  closeQueues,
  createEvent,
  createQueues,
  eventMessage,
  scanJobMessage,
  scanRunJobId,
  writeOutbox,
} from "../src/index.js";

const userId = "8d1e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a";
let database: TestDatabase;
let db: Db;
let redisServer: TestRedisServer;
let redis: Redis;
let queues: Record<QueueName, Queue>;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 6 }));
  // A Redis of this file's own, so that it can be stopped without disturbing anything else.
  redisServer = await TestRedisServer.start();
  redis = new Redis(redisServer.url(), { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on("error", () => undefined);
  queues = createQueues({ connection: redis, prefix: uniqueId("q") });
});

afterAll(async () => {
  await closeQueues(queues);
  redis.disconnect();
  await redisServer.stop();
  await db.destroy();
  await database.drop();
});

afterEach(async () => {
  await db.deleteFrom("outbox").execute();
  await queues.events.obliterate({ force: true }).catch(() => undefined);
});

const tierEvent = () => createEvent("user.tier_changed", { userId, from: "free", to: "pro" });
const outboxCount = async () =>
  Number(
    (
      await db
        .selectFrom("outbox")
        .select((eb) => eb.fn.countAll().as("n"))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe("outbox writer", () => {
  it("writes only when the caller's transaction commits", async () => {
    await expect(
      db.transaction().execute(async (tx) => {
        await writeOutbox(tx, [eventMessage(tierEvent())]);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await outboxCount()).toBe(0);

    await db.transaction().execute((tx) => writeOutbox(tx, [eventMessage(tierEvent())]));
    expect(await outboxCount()).toBe(1);
  });
});

describe("outbox relay", () => {
  it("publishes rows as jobs whose id is the event id, with bounded retention, then deletes them", async () => {
    const events = [tierEvent(), tierEvent(), tierEvent()];
    await writeOutbox(db, events.map(eventMessage));
    const relay = new OutboxRelay({ db, queues });
    expect(await relay.relayOnce()).toBe(3);
    expect(await outboxCount()).toBe(0);
    for (const event of events) {
      const job = await queues.events.getJob(event.id);
      expect(job?.name).toBe("user.tier_changed");
      expect(job?.data).toEqual(event);
      expect(job?.opts.removeOnComplete).toEqual({ age: 3600, count: 1000 });
      expect(job?.opts.removeOnFail).toEqual({ age: 7 * 24 * 3600, count: 5000 });
    }
  });

  it("turns a row published twice into one job", async () => {
    const event = tierEvent();
    const relay = new OutboxRelay({ db, queues });
    await writeOutbox(db, [eventMessage(event)]);
    await relay.relayOnce();
    await writeOutbox(db, [eventMessage(event)]);
    await relay.relayOnce();
    expect(await queues.events.getWaitingCount()).toBe(1);
  });

  it("lets concurrent relays share the work without publishing a row twice or losing one", async () => {
    const events = Array.from({ length: 300 }, tierEvent);
    await writeOutbox(db, events.map(eventMessage));
    const relays = [0, 1, 2].map(() => new OutboxRelay({ db, queues, batchSize: 25 }));
    const moved = await Promise.all(
      relays.map(async (relay) => {
        let total = 0;
        for (let n = await relay.relayOnce(); n > 0; n = await relay.relayOnce()) total += n;
        return total;
      }),
    );
    expect(moved.reduce((a, b) => a + b, 0)).toBe(300);
    expect(moved.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(await outboxCount()).toBe(0);
    expect(await queues.events.getWaitingCount()).toBe(300);
  });

  it("keeps rows while Redis is down and delivers them when it returns", async () => {
    const relay = new OutboxRelay({ db, queues, publishTimeoutMs: 500 });
    await redisServer.stop();
    try {
      const event = tierEvent();
      // The mutation commits although the queue is unreachable.
      await db.transaction().execute((tx) => writeOutbox(tx, [eventMessage(event)]));
      await expect(relay.relayOnce()).rejects.toThrow();
      const waiting = await db.selectFrom("outbox").selectAll().execute();
      expect(waiting).toHaveLength(1);
      expect(waiting[0]?.attempts).toBe(1);
      expect(waiting[0]?.last_error).toBeTruthy();

      await redisServer.start();
      relay.start();
      relay.kick();
      await waitFor(async () => (await outboxCount()) === 0, { timeoutMs: 15_000, what: "the outbox to drain" });
      expect((await queues.events.getJob(event.id))?.data).toEqual(event);
    } finally {
      await relay.stop();
      await redisServer.start();
    }
  });

  it("runs in the background and publishes promptly when kicked", async () => {
    const relay = new OutboxRelay({ db, queues, pollIntervalMs: 60_000 });
    relay.start();
    try {
      await relay.relayOnce();
      const event = tierEvent();
      await writeOutbox(db, [eventMessage(event)]);
      const started = Date.now();
      relay.kick();
      // Well within the 60 s poll interval (however loaded the machine): the kick published it.
      await waitFor(() => queues.events.getJob(event.id), { timeoutMs: 20_000, what: "the kicked event" });
      console.log(`[events] a kicked relay published after ${Date.now() - started} ms`);
    } finally {
      await relay.stop();
    }
  });

  it("stops promptly when stop() comes during a pass, not after the poll interval", async () => {
    let stopping: Promise<void> | undefined;
    const relay = new OutboxRelay({
      db,
      queues,
      pollIntervalMs: 60_000,
      // Called inside the loop, between the pass and its sleep: there is no sleep yet for stop() to wake.
      onRelayed: () => {
        stopping ??= relay.stop();
      },
    });
    await writeOutbox(db, [eventMessage(tierEvent())]);
    relay.start();
    await waitFor(() => stopping !== undefined, { timeoutMs: 20_000, what: "a pass that relayed the row" });
    const outcome = await Promise.race([stopping?.then(() => "stopped"), sleep(20_000, "still sleeping", { ref: false })]);
    expect(outcome).toBe("stopped");
  });

  it("routes scan jobs to the scans queue, removed as soon as they end", async () => {
    const job = { scanType: "secrets", ownerId: userId, inputHash: "a".repeat(64) };
    const jobId = scanRunJobId(job, "0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a");
    await writeOutbox(db, [scanJobMessage(job, jobId)]);
    await new OutboxRelay({ db, queues }).relayOnce();
    const queued = await queues[QUEUES.scans].getJob(jobId);
    expect(queued?.data).toEqual(job);
    expect(queued?.opts).toMatchObject({ removeOnComplete: true, removeOnFail: true, attempts: 5 });
    expect(await queues[QUEUES.events].getJob(jobId)).toBeUndefined();
    await queues[QUEUES.scans].obliterate({ force: true });
  });
});
