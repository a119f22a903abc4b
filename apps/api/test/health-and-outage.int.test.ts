import { TestRedisServer, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

let redis: TestRedisServer;
let api: TestApi;
let user: { id: string; key: string };

beforeAll(async () => {
  redis = await TestRedisServer.start();
  api = await TestApi.start({ REDIS_URL: redis.url(0), REDIS_CACHE_URL: redis.url(1) });
  user = await api.createUser("pro");
});
afterAll(async () => {
  await api.close();
  await redis.stop();
});

describe("health and the queue Redis going away", () => {
  it("reports every dependency connected", async () => {
    const health = await api.request("GET", "/health");
    expect(health.status).toBe(200);
    expect(health.body).toEqual({
      status: "ok",
      database: "connected",
      redis_queue: "connected",
      redis_cache: "connected",
      advisories: "stale",
    });
    expect((await api.request("GET", "/ready")).status).toBe(200);
  });

  it("keeps accepting scans while Redis is down, reports degraded, and delivers the jobs when it returns", async () => {
    // What a submission takes on this machine now, with Redis up: the one during the outage is compared with it.
    let baseline = 0;
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      expect(
        (await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput(`baseline-${i}`) } }))
          .status,
      ).toBe(202);
      baseline = Math.max(baseline, Date.now() - started);
    }
    await waitFor(async () => (await api.count("outbox")) === 0, { timeoutMs: 20_000, what: "the baseline's outbox to drain" });
    await redis.stop();
    try {
      const health = await waitFor(async () => {
        const response = await api.request("GET", "/health");
        return response.body.redis_queue === "disconnected" ? response : undefined;
      });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: "degraded", database: "connected", redis_cache: "disconnected" });
      expect((await api.request("GET", "/ready")).status).toBe(503);

      const started = Date.now();
      const submitted = await api.request("POST", "/api/v1/scans", {
        key: user.key,
        body: { type: "secrets", input: secretsInput("outage") },
      });
      const took = Date.now() - started;
      console.log(`[api] a submission with Redis down took ${took} ms (${baseline} ms with it up)`);
      expect(submitted.status).toBe(202);
      // Not held up by the missing Redis (no reconnect wait, no timeout): about what it takes with Redis up.
      expect(took).toBeLessThan(1000 + 5 * baseline);
      expect(await api.count("outbox")).toBe(2);
    } finally {
      await redis.start();
    }
    await waitFor(async () => (await api.count("outbox")) === 0, { timeoutMs: 20_000, what: "the outbox to drain" });
    // The restarted Redis is empty: only the job of the submission made during the outage.
    expect(await api.queues.scans.getWaitingCount()).toBe(1);
    await waitFor(async () => (await api.request("GET", "/ready")).status === 200);
  });
});
