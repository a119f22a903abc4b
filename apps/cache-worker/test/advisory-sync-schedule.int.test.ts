import { loadConfig } from "@secapi/config";
import { type Db, countAdvisories, listAdvisorySyncStates } from "@secapi/db";
import { createLogger } from "@secapi/runtime";
import { FeedServer, npmAdvisory, waitFor } from "@secapi/testing";
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
});
