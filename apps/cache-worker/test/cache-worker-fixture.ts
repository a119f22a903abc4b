import { randomBytes } from "node:crypto";
import { Cache, HotKeyTracker } from "@secapi/cache";
import { CacheKeys } from "@secapi/core";
import { type Db, createDb, createPool } from "@secapi/db";
import { createLogger } from "@secapi/runtime";
import { TEST_REDIS_URL, type TestDatabase, createTestDatabase, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { CacheWorkerContext } from "../src/context.js";
import { RERUN_QUEUE } from "../src/watched-reruns.js";

/** A database of the test file's own and the shared Redis under a unique prefix. */
export interface TestServices {
  database: TestDatabase;
  db: Db;
  /** Fit for BullMQ workers too (`maxRetriesPerRequest: null`): give them `redis.duplicate()`. */
  redis: Redis;
  /** Every key the test writes starts with it (`${prefix}:`), so `close` can remove them. */
  prefix: string;
  /** Removes the keys under the prefix and the database, and disconnects. */
  close(): Promise<void>;
}

/** Opens the services a cache-worker test needs; `name` starts the prefix, to tell the test's keys apart. */
export async function openTestServices(name: string, options: { poolMax?: number } = {}): Promise<TestServices> {
  const database = await createTestDatabase();
  const db = createDb(createPool({ connectionString: database.url, max: options.poolMax ?? 4 }));
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = uniqueId(name);
  return {
    database,
    db,
    redis,
    prefix,
    close: async () => {
      await deleteKeysByPrefix(redis, `${prefix}:`);
      redis.disconnect();
      await db.destroy();
      await database.drop();
    },
  };
}

/** A CacheWorkerContext as main.ts builds it, on the test's services, with the queues it writes to in full. */
export interface TestContext {
  ctx: CacheWorkerContext;
  cache: Cache;
  webhooks: Queue;
  reruns: Queue;
  /** Closes the queues and the cache (not the services). */
  close(): Promise<void>;
}

export async function createTestContext(
  services: TestServices,
  options: Pick<CacheWorkerContext, "rerunLimit" | "rerunChunkSize">,
): Promise<TestContext> {
  const { db, redis, prefix } = services;
  // A generous timeout: a loaded machine must not turn a warmed entry's read into a BYPASS (no test here is about it).
  const cache = new Cache({ redis, prefix, timeoutMs: 1000 });
  await cache.start();
  const webhooks = new Queue("webhooks", { connection: redis, prefix });
  const reruns = new Queue(RERUN_QUEUE, { connection: redis, prefix });
  const ctx: CacheWorkerContext = {
    db,
    cache,
    keys: new CacheKeys(prefix),
    hotKeys: new HotKeyTracker({ redis, setKey: `${prefix}:hot-keys` }),
    logger: createLogger({ service: "cache-worker-test", level: "silent" }),
    scanInputKey: randomBytes(32),
    entryTtlSeconds: 3600,
    webhooks,
    reruns,
    ...options,
  };
  return {
    ctx,
    cache,
    webhooks,
    reruns,
    close: async () => {
      await Promise.all([webhooks.close(), reruns.close()]);
      await cache.close();
    },
  };
}
