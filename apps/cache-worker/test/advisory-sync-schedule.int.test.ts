import { loadConfig } from "@secapi/config";
import { type Db, countAdvisories, createDb, createPool, listAdvisorySyncStates } from "@secapi/db";
import { createLogger } from "@secapi/runtime";
import {
  FeedServer,
  TEST_REDIS_URL,
  type TestDatabase,
  createTestDatabase,
  deleteKeysByPrefix,
  npmAdvisory,
  uniqueId,
  waitFor,
} from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAdvisorySyncSchedule } from "../src/advisory-sync-schedule.js";

let database: TestDatabase;
let db: Db;
let redis: Redis;
let feed: FeedServer;
const prefix = uniqueId("sync");

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 6 }));
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  feed = await new FeedServer().start();
  feed.put(
    npmAdvisory("GHSA-sch1-0001", "sched-a", "1.0.1", "2024-01-01T00:00:00Z"),
    npmAdvisory("GHSA-sch1-0002", "sched-b", "2.0.1", "2024-01-02T00:00:00Z"),
  );
});
afterAll(async () => {
  await feed.stop();
  await deleteKeysByPrefix(redis, `${prefix}:`);
  redis.disconnect();
  await db.destroy();
  await database.drop();
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
});
