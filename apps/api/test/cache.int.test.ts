import { randomUUID } from "node:crypto";
import { CacheKeys } from "@secapi/core";
import { upsertScanResult } from "@secapi/db";
import { TestRedisServer, waitFor } from "@secapi/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

let api: TestApi;
let keys: CacheKeys;
beforeAll(async () => {
  api = await TestApi.start();
  keys = new CacheKeys(api.cachePrefix);
});
afterAll(() => api.close());

const submit = (key: string, type: string, input: unknown) => api.request("POST", "/api/v1/scans", { key, body: { type, input } });

const completeRun = (scanId: string, result: unknown, computedAt?: Date) => api.completeRun(scanId, result, { computedAt });

const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };

describe("cached scan views", () => {
  it("serves the second read from the cache, and answers If-None-Match with 304 without touching Postgres", async () => {
    const user = await api.createUser("pro");
    const { body } = await submit(user.key, "secrets", secretsInput("view"));
    await completeRun(body.id, RESULT);
    const first = await api.request("GET", `/api/v1/scans/${body.id}`, { key: user.key });
    expect(first.headers.get("x-cache-status")).toBe("MISS");
    expect(first.body.status).toBe("completed");
    const second = await api.request("GET", `/api/v1/scans/${body.id}`, { key: user.key });
    expect(second.headers.get("x-cache-status")).toBe("HIT");
    expect(second.body).toEqual(first.body);
    const etag = second.headers.get("etag") ?? "";
    expect(etag).toBe(first.headers.get("etag"));

    const before = api.postgresAcquisitions();
    const notModified = await api.request("GET", `/api/v1/scans/${body.id}`, { key: user.key, headers: { "If-None-Match": etag } });
    expect(notModified.status).toBe(304);
    expect(api.postgresAcquisitions()).toBe(before);
  });

  it("keeps a user's cached views and results when they submit other scans (only lists and stats are dropped)", async () => {
    const user = await api.createUser("pro");
    const input = secretsInput("keep-me");
    const { body } = await submit(user.key, "secrets", input);
    await completeRun(body.id, RESULT);
    await api.request("GET", `/api/v1/scans/${body.id}`, { key: user.key });
    await submit(user.key, "secrets", secretsInput("another-scan"));
    expect((await api.request("GET", `/api/v1/scans/${body.id}`, { key: user.key })).headers.get("x-cache-status")).toBe("HIT");
    expect((await submit(user.key, "secrets", input)).headers.get("x-cache-status")).toBe("HIT");
  });

  it("never shows one user's cached scan to another", async () => {
    const owner = await api.createUser("pro");
    const other = await api.createUser("pro");
    const { body } = await submit(owner.key, "secrets", secretsInput("mine"));
    await api.request("GET", `/api/v1/scans/${body.id}`, { key: owner.key });
    expect((await api.request("GET", `/api/v1/scans/${body.id}`, { key: owner.key })).headers.get("x-cache-status")).toBe("HIT");
    expect((await api.request("GET", `/api/v1/scans/${body.id}`, { key: other.key })).status).toBe(404);
  });
});

describe("repeated submissions", () => {
  it("answer 200 cached:true with X-Cache-Status HIT and use no scan quota", async () => {
    const user = await api.createUser("pro");
    const input = secretsInput("repeat");
    const first = await submit(user.key, "secrets", input);
    expect(first.status).toBe(202);
    expect(first.headers.get("x-cache-status")).toBe("MISS");
    await completeRun(first.body.id, RESULT);
    const usedBefore = (await api.request("GET", "/api/v1/usage", { key: user.key })).body.limits.scans_per_hour.used;

    const again = await submit(user.key, "secrets", input);
    expect(again.status).toBe(200);
    expect(again.headers.get("x-cache-status")).toBe("HIT");
    expect(again.body).toMatchObject({ type: "secrets", status: "completed", cached: true, result: RESULT });
    expect(again.body.id).not.toBe(first.body.id);
    expect(again.headers.get("location")).toBe(`/api/v1/scans/${again.body.id}`);
    // The scan quotas are reported, not consumed.
    expect(again.headers.get("ratelimit-policy")).toContain('"scans-hour"');
    expect((await api.request("GET", "/api/v1/usage", { key: user.key })).body.limits.scans_per_hour.used).toBe(usedBefore);
    // And the cached scan is a scan of the user's like any other.
    const view = await api.request("GET", `/api/v1/scans/${again.body.id}`, { key: user.key });
    expect(view.body).toMatchObject({ status: "completed", cached: true, result: RESULT });
  });

  it("leave the caller's cached identity in place (a submission drops the user's lists, not their principal)", async () => {
    const user = await api.createUser("pro");
    const input = secretsInput("identity-stays");
    const first = await submit(user.key, "secrets", input);
    await completeRun(first.body.id, RESULT);
    await api.request("GET", `/api/v1/scans/${first.body.id}`, { key: user.key });

    expect((await submit(user.key, "secrets", input)).headers.get("x-cache-status")).toBe("HIT");
    await waitFor(async () => (await api.count("outbox")) === 0, { what: "the relay to be idle" });
    // A cached principal and a cached view: this read needs no Postgres at all.
    const beforeRead = api.postgresAcquisitions();
    expect((await api.request("GET", `/api/v1/scans/${first.body.id}`, { key: user.key })).headers.get("x-cache-status")).toBe("HIT");
    expect(api.postgresAcquisitions()).toBe(beforeRead);
  });

  it("are answered from the stored result when the cache has lost it, which is then cached again with its tags", async () => {
    const user = await api.createUser("pro");
    const input = { packages: [{ ecosystem: "npm", name: "left-pad", version: "1.3.0" }] };
    const first = await submit(user.key, "dependencies", input);
    const key = await completeRun(first.body.id, RESULT);
    await sql`UPDATE scan_results SET tags = ${["pkg:npm/left-pad"]} WHERE scan_type = 'dependencies' AND input_hash = ${key.inputHash}`.execute(
      api.db,
    );
    await api.cache.delete(keys.result(key));

    const again = await submit(user.key, "dependencies", input);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: "completed", cached: true, result: RESULT });
    expect(again.headers.get("x-cache-status")).toBe("MISS");
    // Nothing runs: the scan is recorded as a cached one, without a job.
    const row = await api.db.selectFrom("scans").select(["job_id", "cached"]).where("id", "=", again.body.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ job_id: null, cached: true });
    expect((await submit(user.key, "dependencies", input)).headers.get("x-cache-status")).toBe("HIT");
    // Cached again with the row's tags: an advisory update for the package drops it.
    expect(await api.cache.invalidateTags(["pkg:npm/left-pad"])).toBe(1);
  });

  it("never serve user A's secrets result to user B, even for identical input", async () => {
    const a = await api.createUser("pro");
    const b = await api.createUser("pro");
    const input = secretsInput("shared-secret-file");
    await completeRun((await submit(a.key, "secrets", input)).body.id, RESULT);
    expect((await submit(a.key, "secrets", input)).headers.get("x-cache-status")).toBe("HIT");
    const fromB = await submit(b.key, "secrets", input);
    expect(fromB.status).toBe(202);
    expect(fromB.headers.get("x-cache-status")).toBe("MISS");
  });

  it("share dependency results between users, but only as fresh as each tier's TTL", async () => {
    const input = { packages: [{ ecosystem: "npm", name: "left-pad", version: "1.3.0" }] };
    const pro = await api.createUser("pro");
    const free = await api.createUser("free");
    const first = await submit(pro.key, "dependencies", input);
    // Computed two hours ago: within pro's 24 h, beyond free's 1 h.
    await completeRun(first.body.id, RESULT, new Date(Date.now() - 2 * 3600 * 1000));
    expect((await submit(pro.key, "dependencies", input)).headers.get("x-cache-status")).toBe("HIT");
    const fromFree = await submit(free.key, "dependencies", input);
    expect(fromFree.status).toBe(202);
    expect(fromFree.headers.get("x-cache-status")).toBe("MISS");
  });
});

describe("a cached result that Postgres no longer has", () => {
  it("is dropped, and the submission is answered as if it had never been cached (no 500)", async () => {
    const user = await api.createUser("pro");
    const input = secretsInput("result-row-gone");
    const first = await submit(user.key, "secrets", input);
    const row = await api.db.selectFrom("scans").select("input_hash").where("id", "=", first.body.id).executeTakeFirstOrThrow();
    const key = { scanType: "secrets", ownerId: user.id, inputHash: row.input_hash };
    // What a cache Redis shared with another database, or a Postgres restored from a backup, would hold.
    await api.cache.set(keys.result(key), { resultId: randomUUID(), result: RESULT, computedAt: new Date().toISOString() }, { ttl: 600 });

    const again = await submit(user.key, "secrets", input);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ cached: false });
    expect(again.headers.get("x-cache-status")).toBe("MISS");
    expect((await api.cache.get(keys.result(key))).value).toBeUndefined();
  });
});

describe("a user's repeated cache-hit submissions", () => {
  /** The user's scans of an input, oldest first. */
  async function scansOf(userId: string) {
    return api.db.selectFrom("scans").select(["id", "cached"]).where("user_id", "=", userId).orderBy("created_at").execute();
  }

  /** A user whose first submission of `input` has run, and whose second was answered from the cached result. */
  async function repeatedOnce(input: unknown, type = "secrets") {
    const user = await api.createUser("pro");
    const first = await submit(user.key, type, input);
    await completeRun(first.body.id, RESULT);
    const cachedOnce = await submit(user.key, type, input);
    expect(cachedOnce.status).toBe(200);
    return { user, ran: first.body.id as string, cachedScan: cachedOnce.body.id as string };
  }

  it("get the user's cached scan of that input back, writing nothing and reading no Postgres", async () => {
    const input = secretsInput("same-scan-back");
    const { user, ran, cachedScan } = await repeatedOnce(input);
    expect(cachedScan).not.toBe(ran);
    await waitFor(async () => (await api.count("outbox")) === 0, { what: "the relay to be idle" });

    const beforeRepeats = api.postgresAcquisitions();
    for (let i = 0; i < 3; i++) {
      const again = await submit(user.key, "secrets", input);
      expect(again.status).toBe(200);
      expect(again.headers.get("x-cache-status")).toBe("HIT");
      expect(again.headers.get("location")).toBe(`/api/v1/scans/${cachedScan}`);
      expect(again.body).toMatchObject({ id: cachedScan, status: "completed", cached: true, result: RESULT });
    }
    expect(api.postgresAcquisitions()).toBe(beforeRepeats);
    expect(await scansOf(user.id)).toEqual([
      { id: ran, cached: false },
      { id: cachedScan, cached: true },
    ]);
  });

  it("find that scan in Postgres when the cache has lost it", async () => {
    const input = secretsInput("lost-mapping");
    const { user, cachedScan } = await repeatedOnce(input);
    await api.cache.flush();
    const again = await submit(user.key, "secrets", input);
    expect(again.body.id).toBe(cachedScan);
    expect(await scansOf(user.id)).toHaveLength(2);
  });

  it("record a new scan once the user deleted theirs", async () => {
    const input = secretsInput("deleted-then-again");
    const { user, cachedScan } = await repeatedOnce(input);
    expect((await api.request("DELETE", `/api/v1/scans/${cachedScan}`, { key: user.key })).status).toBe(204);
    const again = await submit(user.key, "secrets", input);
    expect(again.status).toBe(200);
    expect(again.body.id).not.toBe(cachedScan);
    expect((await api.request("GET", `/api/v1/scans/${again.body.id}`, { key: user.key })).status).toBe(200);
    expect((await submit(user.key, "secrets", input)).body.id).toBe(again.body.id);
  });

  it("share one new scan when they arrive together", async () => {
    const user = await api.createUser("pro");
    const input = secretsInput("together");
    const first = await submit(user.key, "secrets", input);
    await completeRun(first.body.id, RESULT);
    const answers = await Promise.all(Array.from({ length: 12 }, () => submit(user.key, "secrets", input)));
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(new Set(answers.map((answer) => answer.body.id)).size).toBe(1);
    expect(await scansOf(user.id)).toHaveLength(2);
  });

  it("never hand one user's scan to another, even for a shared result", async () => {
    const input = { packages: [{ ecosystem: "npm", name: "is-odd", version: "3.0.1" }] };
    const { user, cachedScan } = await repeatedOnce(input, "dependencies");
    const other = await api.createUser("pro");
    const theirs = await submit(other.key, "dependencies", input);
    expect(theirs.status).toBe(200);
    expect(theirs.body).toMatchObject({ cached: true, result: RESULT });
    expect(theirs.body.id).not.toBe(cachedScan);
    expect((await api.request("GET", `/api/v1/scans/${theirs.body.id}`, { key: other.key })).status).toBe(200);
    expect((await api.request("GET", `/api/v1/scans/${theirs.body.id}`, { key: user.key })).status).toBe(404);
    expect((await submit(other.key, "dependencies", input)).body.id).toBe(theirs.body.id);
  });
});

describe("cached lists and stats", () => {
  it("reads lists and stats through the cache, and a new scan shows in the very next list", async () => {
    const user = await api.createUser("pro");
    await submit(user.key, "secrets", secretsInput("list-1"));
    const first = await api.request("GET", "/api/v1/scans", { key: user.key });
    expect(first.headers.get("x-cache-status")).toBe("MISS");
    expect((await api.request("GET", "/api/v1/scans", { key: user.key })).headers.get("x-cache-status")).toBe("HIT");
    await submit(user.key, "secrets", secretsInput("list-2"));
    const after = await api.request("GET", "/api/v1/scans", { key: user.key });
    expect(after.headers.get("x-cache-status")).toBe("MISS");
    expect(after.body.items).toHaveLength(2);

    const stats = await api.request("GET", "/api/v1/stats", { key: user.key });
    expect(stats.headers.get("x-cache-status")).toBe("MISS");
    expect(stats.body).toMatchObject({ total: 2, by_status: { queued: 2 }, by_type: { secrets: 2 } });
    expect((await api.request("GET", "/api/v1/stats", { key: user.key })).headers.get("x-cache-status")).toBe("HIT");
  });
});

describe("cache admin routes", () => {
  it("report stats, keys and health; flush and tag deletion are for admins", async () => {
    const admin = await api.createUser("business", "admin");
    const user = await api.createUser("pro");
    await api.request("GET", "/api/v1/stats", { key: user.key });

    const stats = await api.request("GET", "/api/v1/cache/stats", { key: user.key });
    expect(stats.status).toBe(200);
    expect(Object.keys(stats.body)).toEqual(
      expect.arrayContaining(["enabled", "connected", "hits", "misses", "sets", "errors", "hit_rate", "keys"]),
    );
    expect(stats.body.enabled).toBe(true);
    expect(stats.body.connected).toBe(true);
    expect(stats.body.keys).toBeGreaterThan(0);
    expect(stats.body).not.toHaveProperty("redis_info");
    expect((await api.request("GET", "/api/v1/cache/keys", { key: user.key })).body.keys).toBe(stats.body.keys);
    // The cache Redis's memory and clients are the deployment's: an admin's answer only.
    const adminStats = await api.request("GET", "/api/v1/cache/stats", { key: admin.key });
    expect(adminStats.body.redis_info.used_memory).toBeGreaterThan(0);
    const health = await api.request("GET", "/api/v1/cache/health", { key: user.key });
    expect(health.body).toMatchObject({ status: "connected" });
    expect(health.body.latency_ms).toBeGreaterThanOrEqual(0);

    expect((await api.request("DELETE", `/api/v1/cache/tags/user:${user.id}`, { key: user.key })).status).toBe(403);
    expect((await api.request("DELETE", "/api/v1/cache/flush", { key: user.key })).status).toBe(403);
    const byTag = await api.request("DELETE", `/api/v1/cache/tags/user:${user.id}`, { key: admin.key });
    expect(byTag.status).toBe(200);
    expect(byTag.body.deleted_keys).toBeGreaterThanOrEqual(1);
    expect((await api.request("GET", "/api/v1/stats", { key: user.key })).headers.get("x-cache-status")).toBe("MISS");
    expect((await api.request("DELETE", "/api/v1/cache/tags/pkg:npm/lodash", { key: admin.key })).body).toEqual({ deleted_keys: 0 });
    expect((await api.request("DELETE", "/api/v1/cache/tags/nonsense", { key: admin.key })).status).toBe(400);

    // Read counts of earlier tests still pending would land in the hot-key set (under the cache prefix) after the
    // flush; added now, the flush drops them like everything else.
    await api.hotKeys.flush();
    const flushed = await api.request("DELETE", "/api/v1/cache/flush", { key: admin.key });
    expect(flushed.body.deleted_keys).toBeGreaterThan(0);
    expect((await api.request("GET", "/api/v1/cache/keys", { key: admin.key })).body.keys).toBeLessThanOrEqual(2);
  });
});

describe("CACHE_ENABLED=false", () => {
  it("bypasses the cache everywhere", async () => {
    const bypass = await TestApi.start({ CACHE_ENABLED: "false" });
    try {
      const user = await bypass.createUser("pro");
      const submitted = await bypass.request("POST", "/api/v1/scans", {
        key: user.key,
        body: { type: "secrets", input: secretsInput("b") },
      });
      expect(submitted.headers.get("x-cache-status")).toBe("BYPASS");
      for (const path of [`/api/v1/scans/${submitted.body.id}`, "/api/v1/scans", "/api/v1/stats"]) {
        for (let i = 0; i < 2; i++) {
          expect((await bypass.request("GET", path, { key: user.key })).headers.get("x-cache-status"), path).toBe("BYPASS");
        }
      }
      expect((await bypass.request("GET", "/api/v1/cache/stats", { key: user.key })).body.enabled).toBe(false);
    } finally {
      await bypass.close();
    }
  });
});

describe("the cache Redis goes away", () => {
  it("keeps every request working (BYPASS) and resumes caching when it is back", async () => {
    const redis = await TestRedisServer.start();
    const outage = await TestApi.start({ REDIS_CACHE_URL: redis.url(0) }, TestApi.PRODUCTION_TIMEOUTS);
    try {
      const user = await outage.createUser("pro");
      const known = { files: [{ path: "known.txt", content: "nothing to see here\n" }] };
      const done = await outage.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: known } });
      const scan = await outage.db.selectFrom("scans").selectAll().where("id", "=", done.body.id).executeTakeFirstOrThrow();
      const resultId = await upsertScanResult(outage.db, { scanType: "secrets", ownerId: user.id, inputHash: scan.input_hash }, RESULT, []);
      await sql`UPDATE scans SET status = 'completed', result_id = ${resultId}, completed_at = now() WHERE id = ${scan.id}`.execute(
        outage.db,
      );
      // With the production 50 ms timeout a loaded machine may bypass a read: retried until cached.
      await waitFor(async () => (await outage.request("GET", "/api/v1/stats", { key: user.key })).headers.get("x-cache-status") === "HIT", {
        what: "stats cached",
      });
      await redis.stop();
      const stoppedAt = performance.now();
      // Within the fence bound (100 ms) an L1 entry may still be served; to a request begun past it, never.
      await new Promise((r) => setTimeout(r, 250));
      const durations: number[] = [];
      for (let i = 0; i < 20; i++) {
        const started = performance.now();
        const response = await outage.request("GET", i % 2 ? "/api/v1/stats" : "/api/v1/scans", { key: user.key });
        durations.push(performance.now() - started);
        expect(started - stoppedAt).toBeGreaterThan(100);
        expect(response.status).toBe(200);
        expect(response.headers.get("x-cache-status")).toBe("BYPASS");
      }
      // Redis stays down until all have answered: none waited for it.
      console.log(`[api] 20 reads with the cache Redis down: slowest ${Math.max(...durations).toFixed(0)} ms`);
      const submitted = await outage.request("POST", "/api/v1/scans", {
        key: user.key,
        body: { type: "secrets", input: secretsInput("o") },
      });
      expect(submitted.status).toBe(202);
      // A result Postgres holds still answers, from Postgres.
      const repeated = await outage.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: known } });
      expect(repeated.status).toBe(200);
      expect(repeated.body).toMatchObject({ cached: true, result: RESULT });
      expect(repeated.headers.get("x-cache-status")).toBe("BYPASS");
      expect((await outage.request("GET", "/api/v1/cache/health", { key: user.key })).body.status).toBe("disconnected");
      await redis.start();
      await waitFor(
        async () => {
          await outage.request("GET", "/api/v1/stats", { key: user.key });
          return (await outage.request("GET", "/api/v1/stats", { key: user.key })).headers.get("x-cache-status") === "HIT";
        },
        { timeoutMs: 15_000, what: "caching to resume" },
      );
    } finally {
      await outage.close();
      await redis.stop();
    }
  });
});
