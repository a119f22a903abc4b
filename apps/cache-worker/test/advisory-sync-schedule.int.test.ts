import { loadConfig } from "@secapi/config";
import { type Db, countAdvisories, listAdvisorySyncStates } from "@secapi/db";
import { createLogger } from "@secapi/runtime";
import { FeedServer, deleteKeysByPrefix, npmAdvisory, waitFor } from "@secapi/testing";
import { ADVISORY_SYNC_QUEUE } from "@secapi/events";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdvisorySyncSchedule } from "../src/advisory-sync-schedule.js";
import { type TestServices, openTestServices } from "./cache-worker-fixture.js";

let services: TestServices;
let db: Db;
let redis: Redis;
let prefix: string;
let feed: FeedServer;

beforeAll(async () => {
  services = await openTestServices("sync", { poolMax: 6 });
  ({ db, redis, prefix } = services);
  feed = await new FeedServer().start();
  feed.put(
    npmAdvisory("GHSA-sch1-0001", "sched-a", "1.0.1", "2024-01-01T00:00:00Z"),
    npmAdvisory("GHSA-sch1-0002", "sched-b", "2.0.1", "2024-01-02T00:00:00Z"),
  );
});
afterAll(async () => {
  await feed.stop();
  await services.close();
});

describe("the advisory sync schedule", () => {
  it("syncs an empty database at start, once, however many cache-workers start, never two at a time", async () => {
    const config = loadConfig({
      QUEUE_PREFIX: prefix,
      ADVISORY_SOURCES: "npm",
      ADVISORY_SYNC_URL: feed.url,
      ADVISORY_SYNC_INTERVAL: "3600",
    });
    const logger = createLogger({ service: "cache-worker-test", level: "silent" });
    const workers = await Promise.all([1, 2].map(() => startAdvisorySyncSchedule({ config, db, logger, connection: redis })));
    try {
      await waitFor(async () => (await countAdvisories(db)) === 2, { what: "the initial sync", timeoutMs: 30_000 });
      await waitFor(async () => (await listAdvisorySyncStates(db))[0]?.lastOutcome === "ok", { what: "the sync state" });
      expect(feed.requests.filter((p) => p === "/npm/all.zip")).toHaveLength(1);
      expect(feed.maxActive).toBe(1);
    } finally {
      await Promise.all(workers.map((w) => w.close()));
    }
  });

  it("syncs at start when the scheduler already exists but the database was reset since its last run", async () => {
    // A queue prefix of the test's own (its keys removed at the end): the scheduler it makes and finds is no other test's.
    const queuePrefix = `${prefix}-reset`;
    const config = loadConfig({
      QUEUE_PREFIX: queuePrefix,
      ADVISORY_SOURCES: "npm",
      ADVISORY_SYNC_URL: feed.url,
      ADVISORY_SYNC_INTERVAL: "3600",
    });
    const logger = createLogger({ service: "cache-worker-test", level: "silent" });
    const resetDatabase = async () => {
      await db.deleteFrom("advisories").execute();
      await db.deleteFrom("advisory_sync_state").execute();
    };
    const fullReads = () => feed.requests.filter((p) => p === "/npm/all.zip").length;
    const queue = new Queue(ADVISORY_SYNC_QUEUE, { connection: redis.duplicate(), prefix: queuePrefix });
    try {
      // A cache-worker ran once: its scheduler's first run synced, and the next one is an hour away.
      await resetDatabase();
      const first = await startAdvisorySyncSchedule({ config, db, logger, connection: redis });
      try {
        await waitFor(async () => (await queue.getCompletedCount()) === 1, { what: "the scheduler's first run", timeoutMs: 30_000 });
      } finally {
        await first.close();
      }
      expect(await countAdvisories(db)).toBe(2);
      const scheduler = await queue.getJobScheduler("advisory-sync");
      expect(scheduler?.next).toBeGreaterThan(Date.now() + 30 * 60_000);

      // The database is reset; the next start finds the scheduler in place and still syncs now, once.
      await resetDatabase();
      const readsBefore = fullReads();
      const second = await startAdvisorySyncSchedule({ config, db, logger, connection: redis });
      try {
        await waitFor(async () => (await countAdvisories(db)) === 2, { what: "the sync after the reset", timeoutMs: 30_000 });
        await waitFor(async () => (await queue.getCompletedCount()) === 2, { what: "the sync job to complete" });
        expect(fullReads()).toBe(readsBefore + 1);
        expect((await queue.getJobScheduler("advisory-sync"))?.next).toBeGreaterThan(Date.now() + 30 * 60_000);
      } finally {
        await second.close();
      }
    } finally {
      await queue.close();
      await deleteKeysByPrefix(redis, `${queuePrefix}:`);
    }
  });
});
