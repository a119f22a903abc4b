import { Cache } from "@secapi/cache";
import { CacheKeys, createUserWithKey, hashApiKey, principalTag } from "@secapi/core";
import { type Db, createDb, createPool } from "@secapi/db";
import { TEST_REDIS_URL, type TestDatabase, createTestDatabase, deleteKeysByPrefix, freePort, uniqueId } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PRINCIPAL_TTL_SECONDS, principalOf } from "../src/middleware/authenticate.js";
import { STALE_IF_ERROR_SECONDS } from "../src/http/stale-if-database-down.js";

// A Postgres outage longer than a principal's TTL must not turn every authenticated request into a 503: the
// cached principal keeps authenticating for its stale-if-error period (cached reads keep working), and no longer.

let redis: Redis;
let database: TestDatabase;
let db: Db;
let downDb: Db;
let cache: Cache;
let keys: CacheKeys;
let now = Date.now();

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL);
  keys = new CacheKeys(uniqueId("auth"));
  cache = new Cache({ redis, prefix: keys.prefix, timeoutMs: 2000, clock: () => now });
  await cache.start();
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 2 }));
  // Nothing listens on a free port: Postgres there refuses the connection, as a stopped server does.
  downDb = createDb(createPool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/secapi`, max: 2 }));
});
afterAll(async () => {
  await cache.close();
  await deleteKeysByPrefix(redis, `${keys.prefix}:`);
  redis.disconnect();
  await db.destroy();
  await downDb.destroy();
  await database.drop();
});

async function cachedUser() {
  const { user, apiKey } = await createUserWithKey(db, { email: `${uniqueId("u")}@example.com`, tier: "pro", role: "user" });
  const keyHash = hashApiKey(apiKey);
  expect((await principalOf({ cache, keys, db }, keyHash))?.userId).toBe(user.id);
  return { userId: user.id, keyHash };
}

describe("a cached principal while Postgres is down", () => {
  it("authenticates past its TTL for the stale-if-error period, then the outage stands", async () => {
    const { userId, keyHash } = await cachedUser();
    const down = { cache, keys, db: downDb };
    now += (PRINCIPAL_TTL_SECONDS + 60) * 1000;
    expect((await principalOf(down, keyHash))?.userId).toBe(userId);
    now += STALE_IF_ERROR_SECONDS * 1000;
    await expect(principalOf(down, keyHash)).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  it("never authenticates a principal whose entry a revocation or tier change dropped", async () => {
    const { userId, keyHash } = await cachedUser();
    await cache.invalidateTags([principalTag(userId)]);
    await expect(principalOf({ cache, keys, db: downDb }, keyHash)).rejects.toThrow(/ECONNREFUSED|connect/);
  });

  it("does not cache an unknown key (one created a moment later works at once)", async () => {
    const unknown = hashApiKey(`sk_${uniqueId("nobody")}`);
    expect(await principalOf({ cache, keys, db }, unknown)).toBeUndefined();
    expect(await redis.exists(keys.auth(unknown))).toBe(0);
    const { keyHash } = await cachedUser();
    expect(await redis.exists(keys.auth(keyHash))).toBe(1);
  });
});
