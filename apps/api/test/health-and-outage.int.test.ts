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
    expect(health.body).toEqual({ status: "ok", database: "connected", redis_queue: "connected", redis_cache: "connected" });
    expect((await api.request("GET", "/ready")).status).toBe(200);
  });

  it("keeps accepting scans while Redis is down, reports degraded, and delivers the jobs when it returns", async () => {
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
      const submitted = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput("outage") } });
      expect(submitted.status).toBe(202);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(await api.count("outbox")).toBe(2);
    } finally {
      await redis.start();
    }
    await waitFor(async () => (await api.count("outbox")) === 0, { timeoutMs: 20_000, what: "the outbox to drain" });
    expect(await api.queues.scans.getWaitingCount()).toBe(1);
    await waitFor(async () => (await api.request("GET", "/ready")).status === 200);
  });
});
