import { TestRedisServer, waitFor } from "@secapi/testing";
import { parseList } from "structured-headers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

const LIMITS = JSON.stringify({
  free: { requests_per_minute: 20, scans_per_hour: 3, scans_per_month: 100 },
  pro: { requests_per_minute: 500, scans_per_hour: 500, scans_per_month: 50000 },
});

let api: TestApi;
beforeAll(async () => {
  api = await TestApi.start({ TIER_LIMITS: LIMITS, ANON_RATE_LIMIT_PER_MINUTE: "5" });
});
afterAll(() => api.close());

/** `RateLimit-Policy` / `RateLimit` as {name: params}, parsed with a structured-fields parser. */
function parsedLimitFields(headers: Headers) {
  const read = (name: string) =>
    Object.fromEntries(parseList(headers.get(name) ?? "").map(([item, params]) => [String(item), Object.fromEntries(params)]));
  return { policy: read("ratelimit-policy"), state: read("ratelimit") };
}

describe("request limits", () => {
  it("reports every policy in draft-ietf-httpapi-ratelimit-headers syntax and the nearest one in X-RateLimit-*", async () => {
    const user = await api.createUser("free");
    const response = await api.request("GET", "/api/v1/scans", { key: user.key });
    expect(response.status).toBe(200);
    const { policy, state } = parsedLimitFields(response.headers);
    expect(policy).toEqual({ minute: { q: 20, w: 60 } });
    expect(state.minute).toEqual({ r: 19, t: expect.any(Number) });
    expect(response.headers.get("x-ratelimit-limit")).toBe("20");
    expect(response.headers.get("x-ratelimit-remaining")).toBe("19");
    const reset = Number(response.headers.get("x-ratelimit-reset"));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 62);

    // A submission reports the scan quotas too, and the one nearest exhaustion leads X-RateLimit-*.
    const submitted = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("h") } });
    const fields = parsedLimitFields(submitted.headers);
    expect(fields.policy).toEqual({ minute: { q: 20, w: 60 }, "scans-hour": { q: 3, w: 3600 }, "scans-month": { q: 100 } });
    expect(fields.state["scans-hour"]?.r).toBe(2);
    expect(submitted.headers.get("x-ratelimit-limit")).toBe("3");
    expect(submitted.headers.get("x-ratelimit-remaining")).toBe("2");
  });

  it("/usage reads every quota in its request's one check, counts the request once, and reports the request limit in its headers", async () => {
    const user = await api.createUser("free");
    await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("usage-once") } });
    const first = await api.request("GET", "/api/v1/usage", { key: user.key });
    const second = await api.request("GET", "/api/v1/usage", { key: user.key });
    expect(first.body.limits).toMatchObject({
      requests_per_minute: { limit: 20, used: 2, remaining: 18 },
      scans_per_hour: { limit: 3, used: 1, remaining: 2 },
      scans_per_month: { limit: 100, used: 1 },
    });
    expect(second.body.limits.requests_per_minute).toMatchObject({ used: 3, remaining: 17 });
    expect(parsedLimitFields(second.headers).policy).toEqual({ minute: { q: 20, w: 60 } });
    expect(second.headers.get("x-ratelimit-limit")).toBe("20");
    expect(second.headers.get("x-ratelimit-remaining")).toBe("17");
  });

  it("answers 429 with Retry-After and the documented body once the minute is used up", async () => {
    const user = await api.createUser("free");
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await api.request("GET", "/api/v1/scans", { key: user.key })).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    const denied = await api.request("GET", "/api/v1/scans", { key: user.key });
    expect(denied.status).toBe(429);
    expect(denied.body).toMatchObject({ error: "Rate limit exceeded", code: "rate_limited", limit: 20, window: "minute" });
    expect(denied.body.retry_after).toBeGreaterThan(0);
    expect(denied.headers.get("retry-after")).toBe(String(denied.body.retry_after));
    expect(denied.headers.get("x-ratelimit-remaining")).toBe("0");
  });

  it("limits requests without a valid key per client IP, unknown keys included, but never /health", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await api.request("GET", "/api/v1/scans", { key: `sk_unknown_${i}_${"x".repeat(30)}` })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    for (let i = 0; i < 10; i++) expect((await api.request("GET", "/health")).status).toBe(200);
  });

  it("applies a tier change to the next request without resetting the count", async () => {
    const admin = await api.createUser("pro", "admin");
    const user = await api.createUser("free");
    for (let i = 0; i < 20; i++) await api.request("GET", "/api/v1/scans", { key: user.key });
    expect((await api.request("GET", "/api/v1/scans", { key: user.key })).status).toBe(429);
    expect((await api.request("PATCH", `/api/v1/admin/users/${user.id}`, { key: admin.key, body: { tier: "pro" } })).status).toBe(200);
    const next = await api.request("GET", "/api/v1/scans", { key: user.key });
    expect(next.status).toBe(200);
    expect(next.headers.get("x-ratelimit-limit")).toBe("500");
    // 20 admitted + this one; the denied request consumed nothing.
    expect(next.headers.get("x-ratelimit-remaining")).toBe(String(500 - 21));
  });
});

describe("scan quotas", () => {
  it("denies the submission past the hourly scan quota with 429 (scans-hour), and /usage agrees", async () => {
    const user = await api.createUser("free");
    for (let i = 0; i < 3; i++) {
      const ok = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput(`q${i}`) } });
      expect(ok.status).toBe(202);
    }
    const before = await api.count("scans");
    const denied = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("q4") } });
    expect(denied.status).toBe(429);
    expect(denied.body).toMatchObject({ code: "rate_limited", window: "scans-hour", limit: 3 });
    expect(await api.count("scans")).toBe(before);

    const usage = await api.request("GET", "/api/v1/usage", { key: user.key });
    expect(usage.body.tier).toBe("free");
    expect(usage.body.limits.scans_per_hour).toMatchObject({ limit: 3, used: 3, remaining: 0 });
    expect(usage.body.limits.scans_per_month).toMatchObject({ limit: 100, used: 3, remaining: 97 });
    expect(usage.body.limits.requests_per_minute.limit).toBe(20);
  });

  it("answers a cache hit past the hourly scan quota with 200, reporting the exhausted quota without consuming", async () => {
    const user = await api.createUser("free");
    const submitted = [];
    for (let i = 0; i < 3; i++) {
      submitted.push(
        await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput(`hit${i}`) } }),
      );
    }
    await api.completeRun(submitted[0]?.body.id, { summary: { total: 0 }, findings: [] });

    const hit = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("hit0") } });
    expect(hit.status).toBe(200);
    expect(hit.headers.get("x-cache-status")).toBe("HIT");
    const { policy, state } = parsedLimitFields(hit.headers);
    expect(Object.keys(policy)).toEqual(["minute", "scans-hour", "scans-month"]);
    expect(state["scans-hour"]).toMatchObject({ r: 0 });
    expect(state["scans-month"]).toMatchObject({ r: 97 });
    expect(hit.headers.get("x-ratelimit-remaining")).toBe("0");

    const miss = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("hit-new") } });
    expect(miss.status).toBe(429);
    expect(miss.body).toMatchObject({ window: "scans-hour" });
    const usage = await api.request("GET", "/api/v1/usage", { key: user.key });
    expect(usage.body.limits.scans_per_hour).toMatchObject({ used: 3, remaining: 0 });
    expect(usage.body.limits.requests_per_minute.used).toBe(6);
  });

  it("gives the quota back when a submission is an Idempotency-Key replay", async () => {
    const user = await api.createUser("free");
    const body = { type: "secrets", input: secretsInput("idem-quota") };
    await api.request("POST", "/api/v1/scans", { key: user.key, body, headers: { "Idempotency-Key": "k1" } });
    await api.request("POST", "/api/v1/scans", { key: user.key, body, headers: { "Idempotency-Key": "k1" } });
    const usage = await api.request("GET", "/api/v1/usage", { key: user.key });
    expect(usage.body.limits.scans_per_hour.used).toBe(1);
  });
});

describe("limiter Redis trouble", () => {
  let redis: TestRedisServer;
  let open: TestApi;
  let closed: TestApi;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    const env = { REDIS_URL: redis.url(0), REDIS_CACHE_URL: redis.url(1), TIER_LIMITS: LIMITS };
    open = await TestApi.start({ ...env, RATE_LIMIT_FAIL_MODE: "open" });
    closed = await TestApi.start({ ...env, RATE_LIMIT_FAIL_MODE: "closed" });
  });
  afterAll(async () => {
    await open.close();
    await closed.close();
    await redis.stop();
  });

  it("survives FLUSHALL: the month is rebuilt from Postgres", async () => {
    const user = await open.createUser("free");
    for (let i = 0; i < 2; i++) {
      await open.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput(`m${i}`) } });
    }
    const { Redis } = await import("ioredis");
    const raw = new Redis(redis.url(0));
    await raw.flushall();
    raw.disconnect();
    const usage = await open.request("GET", "/api/v1/usage", { key: user.key });
    expect(usage.body.limits.scans_per_month.used).toBe(2);
    // The sliding hour lives only in Redis: it starts over (documented).
    expect(usage.body.limits.scans_per_hour.used).toBe(0);
  });

  it("open: keeps admitting within the in-process fallback; closed: 503, never 429; both recover", async () => {
    const openUser = await open.createUser("free");
    const closedUser = await closed.createUser("free");
    // Warm the principals into the cache, which is on the same Redis and will go too.
    await open.request("GET", "/api/v1/scans", { key: openUser.key });
    await closed.request("GET", "/api/v1/scans", { key: closedUser.key });
    await redis.stop();
    try {
      const openStatuses: number[] = [];
      for (let i = 0; i < 22; i++) openStatuses.push((await open.request("GET", "/api/v1/scans", { key: openUser.key })).status);
      expect(openStatuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(18);
      expect(openStatuses.filter((s) => s === 200).length).toBeLessThanOrEqual(20);
      expect(openStatuses.at(-1)).toBe(429);

      const closedResponse = await closed.request("GET", "/api/v1/scans", { key: closedUser.key });
      expect(closedResponse.status).toBe(503);
      expect(closedResponse.body.code).toBe("rate_limit_unavailable");
    } finally {
      await redis.start();
    }
    await waitFor(async () => (await closed.request("GET", "/api/v1/scans", { key: closedUser.key })).status === 200, {
      timeoutMs: 15_000,
      what: "the closed limiter to recover",
    });
  });
});
