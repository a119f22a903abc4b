import { CacheKeys } from "@secapi/core";
import { TEST_REDIS_URL, TestRedisCluster } from "@secapi/testing";
import { Redis } from "ioredis";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

// DELETE /api/v1/cache/keys?pattern=<glob>: SCAN-based on every master, bounded to one key type under the prefix.

const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };

const deleteKeys = (api: TestApi, key: string, pattern: string) =>
  api.request("DELETE", `/api/v1/cache/keys?pattern=${encodeURIComponent(pattern)}`, { key });

async function seed(api: TestApi, keys: string[]) {
  for (const key of keys) expect(await api.cache.set(key, key, { ttl: 600, tags: ["bulk"] })).toBe(true);
}

describe("on a single Redis", () => {
  let api: TestApi;
  let admin: { id: string; key: string };
  let raw: Redis;
  beforeAll(async () => {
    api = await TestApi.start();
    admin = await api.createUser("business", "admin");
    raw = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    raw.disconnect();
    await api.close();
  });

  it("deletes exactly the matching entries and answers {deleted_keys}", async () => {
    const prefix = api.cachePrefix;
    const one = Array.from({ length: 25 }, (_, i) => `${prefix}:user:one:scans:${i}`);
    const two = Array.from({ length: 5 }, (_, i) => `${prefix}:user:two:scans:${i}`);
    await seed(api, [...one, ...two, `${prefix}:user:one:stats`]);

    const deleted = await deleteKeys(api, admin.key, `${prefix}:user:one:scans:*`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted_keys: 25 });
    expect(deleted.headers.get("cache-control")).toBe("no-store");
    expect(await raw.exists(...one)).toBe(0);
    expect(await raw.exists(...two, `${prefix}:user:one:stats`)).toBe(6);
    expect((await deleteKeys(api, admin.key, `${prefix}:user:one:scans:*`)).body).toEqual({ deleted_keys: 0 });
  });

  it("this process's L1 no longer serves a deleted key", async () => {
    const user = await api.createUser("pro");
    const submitted = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("l1") } });
    const id = submitted.body.id as string;
    await api.completeRun(id, RESULT);
    await api.cache.delete(new CacheKeys(api.cachePrefix).scan(id));
    const path = `/api/v1/scans/${id}`;
    await api.request("GET", path, { key: user.key });
    const hit = await api.request("GET", path, { key: user.key });
    expect(hit.headers.get("x-cache-status")).toBe("HIT");
    // Postgres changes behind the cache's back: only a reload shows it.
    await sql`UPDATE scans SET completed_at = '2001-01-01T00:00:00Z' WHERE id = ${id}`.execute(api.db);
    expect((await api.request("GET", path, { key: user.key })).body.completed_at).not.toBe("2001-01-01T00:00:00.000Z");

    expect((await deleteKeys(api, admin.key, `${api.cachePrefix}:scan:${id.slice(0, 8)}*`)).body).toEqual({ deleted_keys: 1 });
    const reloaded = await api.request("GET", path, { key: user.key });
    expect(reloaded.headers.get("x-cache-status")).toBe("MISS");
    expect(reloaded.body.completed_at).toBe("2001-01-01T00:00:00.000Z");
  });

  it("refuses * alone, patterns outside the prefix and without a literal key type: 400 invalid_pattern, saying to use flush", async () => {
    const prefix = api.cachePrefix;
    await seed(api, [`${prefix}:scan:kept`]);
    for (const pattern of ["*", "secapi:scan:*", "other:*", `${prefix}:*`, `${prefix}:*:kept`, `${prefix}*`]) {
      const refused = await deleteKeys(api, admin.key, pattern);
      expect(refused.status, pattern).toBe(400);
      expect(refused.body.code, pattern).toBe("invalid_pattern");
      expect(refused.body.error, pattern).toMatch(/flush/);
      expect(refused.headers.get("cache-control")).toBe("no-store");
    }
    const bookkeeping = await deleteKeys(api, admin.key, `${prefix}:__cache:tag:*`);
    expect(bookkeeping.status).toBe(400);
    expect(bookkeeping.body.code).toBe("invalid_pattern");
    const missing = await api.request("DELETE", "/api/v1/cache/keys", { key: admin.key });
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe("invalid_pattern");
    expect(await raw.exists(`${prefix}:scan:kept`)).toBe(1);
  });

  it("is for admins", async () => {
    const user = await api.createUser("business");
    expect((await deleteKeys(api, user.key, `${api.cachePrefix}:scan:*`)).status).toBe(403);
    expect((await api.request("DELETE", `/api/v1/cache/keys?pattern=${api.cachePrefix}:scan:*`)).status).toBe(401);
  });
});

describe("on a Redis Cluster (3 masters)", () => {
  let cluster: TestRedisCluster;
  let api: TestApi;
  let admin: { id: string; key: string };
  beforeAll(async () => {
    cluster = await TestRedisCluster.start();
    // Generous: on a loaded machine a cluster call may take a while, and no test here is about the timeout.
    api = await TestApi.start({}, { cacheTimeoutMs: 2000 }, { cacheRedis: cluster.connect() });
    admin = await api.createUser("business", "admin");
  }, 180_000);
  afterAll(async () => {
    await api?.close();
    await cluster?.stop();
  });

  it("SCANs every master", async () => {
    const prefix = api.cachePrefix;
    const matching = Array.from({ length: 60 }, (_, i) => `${prefix}:result:dependencies:${i}`);
    const others = Array.from({ length: 20 }, (_, i) => `${prefix}:result:sbom:${i}`);
    await seed(api, [...matching, ...others]);
    const spread = await cluster.keysPerMaster(`${prefix}:result:dependencies:*`);
    expect(spread.every((n) => n > 0)).toBe(true);

    const deleted = await deleteKeys(api, admin.key, `${prefix}:result:dependencies:*`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ deleted_keys: 60 });
    expect(await cluster.keysPerMaster(`${prefix}:result:dependencies:*`)).toEqual([0, 0, 0]);
    expect((await cluster.keysPerMaster(`${prefix}:result:sbom:*`)).reduce((a, b) => a + b)).toBe(20);
    expect((await api.cache.get(others[0] as string)).value).toBe(others[0]);
  });
});
