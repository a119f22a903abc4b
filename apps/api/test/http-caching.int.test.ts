import { CacheKeys } from "@secapi/core";
import { waitFor } from "@secapi/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, type TestResponse, secretsInput } from "./api-fixture.js";

// docs/API.md "HTTP caching": Cache-Control from the server's own freshness, per route and per state.

let api: TestApi;
let keys: CacheKeys;
let admin: { id: string; key: string };
beforeAll(async () => {
  api = await TestApi.start();
  keys = new CacheKeys(api.cachePrefix);
  admin = await api.createUser("business", "admin");
});
afterAll(() => api.close());

const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };
const HOUR = 3600;

const cacheControl = (response: TestResponse) => response.headers.get("cache-control");
const maxAge = (response: TestResponse) => Number(/^private, max-age=(\d+)$/.exec(cacheControl(response) ?? "")?.[1] ?? Number.NaN);
/** What a client's cache (RFC 9111) computes: seconds it may still use the response without asking. */
const freshFor = (response: TestResponse) => maxAge(response) - Number(response.headers.get("age") ?? 0);

function expectCallerDependent(response: TestResponse, cache: string, what: string) {
  expect(cacheControl(response), what).toBe(cache);
  expect(response.headers.get("vary"), what).toBe("Authorization, X-API-Key");
}

async function submitted(key: string, n: string) {
  const response = await api.request("POST", "/api/v1/scans", { key, body: { type: "secrets", input: secretsInput(n) } });
  expect(response.status).toBe(202);
  return response;
}

/** A completed scan, its view dropped from the cache as the cache-worker does on scan.completed. */
async function completedScan(key: string, n: string, options: Parameters<TestApi["completeRun"]>[2] = {}): Promise<string> {
  const id = (await submitted(key, n)).body.id as string;
  await api.completeRun(id, RESULT, options);
  await api.cache.delete(keys.scan(id));
  return id;
}

const view = (id: string, key: string, headers: Record<string, string> = {}) => api.request("GET", `/api/v1/scans/${id}`, { key, headers });

describe("a scan view", () => {
  it("queued or running: revalidated on every use, with Retry-After: 1", async () => {
    const user = await api.createUser("pro");
    const id = (await submitted(user.key, "queued")).body.id as string;
    const queued = await view(id, user.key);
    expect(queued.body.status).toBe("queued");
    expectCallerDependent(queued, "private, no-cache", "queued");
    expect(queued.headers.get("retry-after")).toBe("1");
    expect(queued.headers.get("age")).toBeNull();

    await sql`UPDATE scans SET status = 'running', started_at = now() WHERE id = ${id}`.execute(api.db);
    await api.cache.delete(keys.scan(id));
    const running = await view(id, user.key);
    expect(running.body.status).toBe("running");
    expectCallerDependent(running, "private, no-cache", "running");
    expect(running.headers.get("retry-after")).toBe("1");
    const revalidated = await view(id, user.key, { "If-None-Match": running.headers.get("etag") as string });
    expect(revalidated.status).toBe(304);
    expectCallerDependent(revalidated, "private, no-cache", "running, 304");
  });

  it("finished: fresh until the server's own freshness ends, never beyond the tier TTL; Age on hits; a 304 carries the same", async () => {
    const free = await api.createUser("free");
    const id = await completedScan(free.key, "free-done");
    const miss = await view(id, free.key);
    expect(miss.headers.get("x-cache-status")).toBe("MISS");
    expect(miss.headers.get("age")).toBeNull();
    expectCallerDependent(miss, `private, max-age=${HOUR}`, "free, MISS");
    expect(miss.headers.get("retry-after")).toBeNull();

    const hit = await view(id, free.key);
    expect(hit.headers.get("x-cache-status")).toBe("HIT");
    expect(Number(hit.headers.get("age"))).toBeGreaterThanOrEqual(0);
    expect(freshFor(hit)).toBe(HOUR);

    const notModified = await view(id, free.key, { "If-None-Match": hit.headers.get("etag") as string });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBe("");
    expect(notModified.headers.get("etag")).toBe(hit.headers.get("etag"));
    expect(freshFor(notModified)).toBe(HOUR);
    expect(notModified.headers.get("vary")).toBe("Authorization, X-API-Key");

    // The business tier keeps results a week, as long as the view's cache entry lives: that entry bounds it.
    const business = await api.createUser("business");
    const long = await view(await completedScan(business.key, "business-done"), business.key);
    expect(freshFor(long)).toBeGreaterThan(HOUR);
    expect(freshFor(long)).toBeLessThanOrEqual(api.config.tiers.business.result_ttl_seconds);
  });

  it("a failed scan is finished too", async () => {
    const user = await api.createUser("starter");
    const id = (await submitted(user.key, "failed")).body.id as string;
    await sql`UPDATE scans SET status = 'failed', error = 'boom', error_code = 'scan_failed', completed_at = now() WHERE id = ${id}`.execute(
      api.db,
    );
    await api.cache.delete(keys.scan(id));
    const failed = await view(id, user.key);
    expect(failed.body.status).toBe("failed");
    expectCallerDependent(failed, `private, max-age=${api.config.tiers.starter.result_ttl_seconds}`, "failed");
  });

  it("never beyond the result's valid_until; once past it (outdated), revalidated on every use", async () => {
    const user = await api.createUser("business");
    const validUntil = new Date(Date.now() + HOUR * 1000);
    const id = await completedScan(user.key, "valid-until", { basis: { advisoryRevision: 0, validUntil: validUntil.toISOString() } });
    const bounded = await view(id, user.key);
    expect(freshFor(bounded)).toBeLessThanOrEqual(HOUR);
    expect(freshFor(bounded)).toBeGreaterThan(0);

    await sql`UPDATE scan_results SET valid_until = now() - interval '1 second' WHERE id = (SELECT result_id FROM scans WHERE id = ${id})`.execute(
      api.db,
    );
    await api.cache.delete(keys.scan(id));
    const outdated = await view(id, user.key);
    expect(outdated.body.outdated).toBe(true);
    expectCallerDependent(outdated, "private, no-cache", "outdated");
    expect(outdated.headers.get("age")).toBeNull();
  });

  it("max-age − Age shrinks as the cached entry ages, max-age itself counting from rendering", async () => {
    const user = await api.createUser("business");
    const id = await completedScan(user.key, "aging");
    const rendered = await view(id, user.key);
    expect(rendered.headers.get("x-cache-status")).toBe("MISS");
    const lifetime = maxAge(rendered);
    // Until the entry is two whole seconds old (however long that takes on a loaded machine).
    const aged = await waitFor(async () => {
      const response = await view(id, user.key);
      return Number(response.headers.get("age")) >= 2 ? response : undefined;
    });
    expect(aged.headers.get("x-cache-status")).toBe("HIT");
    const age = Number(aged.headers.get("age"));
    expect(freshFor(aged)).toBeLessThan(freshFor(rendered));
    expect(freshFor(aged)).toBeLessThanOrEqual(freshFor(rendered) - age + 1);
    // Same entry, same end of freshness: max-age is the lifetime from rendering (± the second each was floored to).
    expect(Math.abs(maxAge(aged) - lifetime)).toBeLessThanOrEqual(1);
  });
});

describe("lists and stats", () => {
  it("are revalidated on every use, with their own ETag and a 304 that carries the same headers", async () => {
    const user = await api.createUser("pro");
    await completedScan(user.key, "listed");
    for (const path of ["/api/v1/scans", "/api/v1/scans?status=completed", "/api/v1/stats"]) {
      const first = await api.request("GET", path, { key: user.key });
      expect(first.status, path).toBe(200);
      expectCallerDependent(first, "private, no-cache", path);
      const etag = first.headers.get("etag") as string;
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      const again = await api.request("GET", path, { key: user.key, headers: { "If-None-Match": etag } });
      expect(again.status, path).toBe(304);
      expect(again.text).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      expectCallerDependent(again, "private, no-cache", `${path}, 304`);
    }
    const before = (await api.request("GET", "/api/v1/scans", { key: user.key })).headers.get("etag") as string;
    await submitted(user.key, "another");
    const changed = await api.request("GET", "/api/v1/scans", { key: user.key, headers: { "If-None-Match": before } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(before);
  });
});

describe("never stored", () => {
  it("usage, submissions (queued, cached, replayed), deletes, cache and admin routes", async () => {
    const user = await api.createUser("pro");
    const id = await completedScan(user.key, "stored-once");
    const cachedSubmission = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: secretsInput("stored-once") },
    });
    expect(cachedSubmission.status).toBe(200);
    expect(cachedSubmission.body.cached).toBe(true);
    expectCallerDependent(cachedSubmission, "no-store", "cached submission");
    const idempotent = { key: user.key, body: { type: "secrets", input: secretsInput("idem") }, headers: { "Idempotency-Key": `k-${id}` } };
    expectCallerDependent(await api.request("POST", "/api/v1/scans", idempotent), "no-store", "submission with Idempotency-Key");
    const replayed = await api.request("POST", "/api/v1/scans", idempotent);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expectCallerDependent(replayed, "no-store", "replayed submission");
    expectCallerDependent(
      await api.request("POST", "/api/v1/scan/secrets", { key: user.key, body: secretsInput("by-type") }),
      "no-store",
      "POST /scan/:type",
    );

    const answers: [string, TestResponse][] = [
      ["usage", await api.request("GET", "/api/v1/usage", { key: user.key })],
      ["cache stats", await api.request("GET", "/api/v1/cache/stats", { key: user.key })],
      ["cache keys", await api.request("GET", "/api/v1/cache/keys", { key: user.key })],
      ["cache health", await api.request("GET", "/api/v1/cache/health", { key: user.key })],
      ["tag delete", await api.request("DELETE", `/api/v1/cache/tags/user:${user.id}`, { key: admin.key })],
      [
        "pattern delete",
        await api.request("DELETE", `/api/v1/cache/keys?pattern=${encodeURIComponent(`${api.cachePrefix}:user:${user.id}:*`)}`, {
          key: admin.key,
        }),
      ],
      [
        "admin user",
        await api.request("POST", "/api/v1/admin/users", { key: admin.key, body: { email: `${id}@example.com`, tier: "free" } }),
      ],
      ["queue board", await api.request("GET", "/admin/queues", { key: admin.key })],
      ["scan delete", await api.request("DELETE", `/api/v1/scans/${id}`, { key: user.key })],
    ];
    for (const [what, response] of answers) {
      expect(response.status, what).toBeLessThan(300);
      expectCallerDependent(response, "no-store", what);
    }
  });

  it("errors, whatever the route would have said", async () => {
    const owner = await api.createUser("pro");
    const other = await api.createUser("pro");
    const id = await completedScan(owner.key, "someone-else");
    const errors: [string, TestResponse][] = [
      ["401", await api.request("GET", "/api/v1/scans")],
      ["404 of another user's scan", await view(id, other.key)],
      ["400", await api.request("GET", "/api/v1/scans?limit=0", { key: owner.key })],
      ["403", await api.request("DELETE", "/api/v1/cache/flush", { key: owner.key })],
      ["404 route", await api.request("GET", "/api/v1/nope", { key: owner.key })],
    ];
    for (const [what, response] of errors) {
      expect(response.status, what).toBeGreaterThanOrEqual(400);
      expectCallerDependent(response, "no-store", what);
      expect(response.headers.get("age"), what).toBeNull();
    }
  });

  it("health, readiness and metrics", async () => {
    for (const path of ["/health", "/ready", "/metrics"]) {
      const response = await api.request("GET", path);
      expect(response.status, path).toBe(200);
      expect(cacheControl(response), path).toBe("no-store");
    }
  });
});

describe("advisories", () => {
  it("the feed status and an advisory are revalidated on every use, with an ETag and a 304 that carries the same headers", async () => {
    const user = await api.createUser("free");
    const id = `TEST-${Date.now()}`;
    const advisory = {
      id,
      aliases: [`CVE-${id}`],
      modified: new Date().toISOString(),
      affected: [{ package: { ecosystem: "npm", name: `pkg-${id}` }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }] }] }],
    };
    expect((await api.request("POST", "/api/v1/admin/advisories", { key: admin.key, body: [advisory] })).status).toBe(200);
    for (const path of ["/api/v1/advisories/status", `/api/v1/advisories/${id}`, `/api/v1/advisories/CVE-${id}`]) {
      const first = await api.request("GET", path, { key: user.key });
      expect(first.status, path).toBe(200);
      expectCallerDependent(first, "private, no-cache", path);
      const etag = first.headers.get("etag") as string;
      expect(etag, path).toMatch(/^"[\w-]+"$/);
      const again = await api.request("GET", path, { key: user.key, headers: { "If-None-Match": etag } });
      expect(again.status, path).toBe(304);
      expect(again.text).toBe("");
      expect(again.headers.get("etag")).toBe(etag);
      expectCallerDependent(again, "private, no-cache", `${path}, 304`);
    }
    const missing = await api.request("GET", "/api/v1/advisories/NO-SUCH-ADVISORY", { key: user.key });
    expect(missing.status).toBe(404);
    expectCallerDependent(missing, "no-store", "unknown advisory");
  });
});
