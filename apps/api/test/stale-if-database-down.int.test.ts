import { Cache } from "@secapi/cache";
import { TEST_REDIS_URL, deleteKeysByPrefix, freePort, uniqueId } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staleIfDatabaseDown } from "../src/http/stale-if-database-down.js";

let redis: Redis;
let cache: Cache;
let prefix: string;
let unreachableDatabase: string;

/** A read that needs Postgres while it is down: the real error pg throws. */
async function readWhileDown(): Promise<never> {
  const client = new pg.Client({ connectionString: unreachableDatabase });
  await client.connect();
  throw new Error("Postgres answered on a closed port");
}

beforeAll(async () => {
  redis = new Redis(TEST_REDIS_URL);
  prefix = uniqueId("stale");
  cache = new Cache({ redis, prefix, timeoutMs: 1000 });
  await cache.start();
  // Nothing listens on a free port: Postgres there refuses the connection, as a stopped server does.
  unreachableDatabase = `postgres://postgres@127.0.0.1:${await freePort()}/secapi`;
});
afterAll(async () => {
  await cache.close();
  await deleteKeysByPrefix(redis, `${prefix}:`);
  redis.disconnect();
});

describe("staleIfDatabaseDown", () => {
  it("answers from the cache as STALE when the read fails because Postgres is unavailable", async () => {
    const key = `${prefix}:scan:${uniqueId("a")}`;
    await cache.set(key, { owner: "u1", current: true }, { ttl: 60 });
    const served = await staleIfDatabaseDown(cache, key, readWhileDown, (entry: { current: boolean }) => entry.current);
    expect(served).toEqual({ value: { owner: "u1", current: true }, status: "STALE" });
  });

  it("answers as the read did when it succeeds", async () => {
    const key = `${prefix}:scan:${uniqueId("b")}`;
    await cache.set(key, { current: true }, { ttl: 60 });
    const served = await staleIfDatabaseDown(
      cache,
      key,
      async () => ({ value: { current: true }, status: "MISS" as const }),
      () => true,
    );
    expect(served.status).toBe("MISS");
  });

  it("never serves an entry the caller refuses (no longer current): the outage error stands", async () => {
    const key = `${prefix}:scan:${uniqueId("c")}`;
    await cache.set(key, { current: false }, { ttl: 60 });
    const failure = staleIfDatabaseDown(cache, key, readWhileDown, (entry: { current: boolean }) => entry.current);
    await expect(failure).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });

  it("rethrows the outage when the cache holds nothing, and any other failure as it is", async () => {
    const missing = `${prefix}:scan:${uniqueId("d")}`;
    await expect(staleIfDatabaseDown(cache, missing, readWhileDown, () => true)).rejects.toMatchObject({ code: "ECONNREFUSED" });
    const present = `${prefix}:scan:${uniqueId("e")}`;
    await cache.set(present, { current: true }, { ttl: 60 });
    const bug = () => Promise.reject(new TypeError("not an outage"));
    await expect(staleIfDatabaseDown(cache, present, bug, () => true)).rejects.toThrow("not an outage");
  });
});
