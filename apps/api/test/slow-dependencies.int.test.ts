import type { AddressInfo } from "node:net";
import { HealthProbe } from "@secapi/core";
import { createDb, createPool } from "@secapi/db";
import { TestRedisServer, freePort, waitFor } from "@secapi/testing";
import express from "express";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiContext } from "../src/context.js";
import { healthRouter } from "../src/routes/health.routes.js";
import { TestApi, type TestResponse, secretsInput } from "./api-fixture.js";

// A queue Redis and a cache Redis of this file's own, stalled in turn: they keep their connections and
// answer nothing.
let queueServer: TestRedisServer;
let cacheServer: TestRedisServer;
let api: TestApi;
let user: { id: string; key: string };
const scanIds: string[] = [];

// Long enough for 50 reads that all go to Postgres while the cache is away, on a loaded machine.
const CACHE_STALL_MS = 8000;
const QUEUE_STALL_MS = 3000;
const CONCURRENT_GETS = 50;
const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };

beforeAll(async () => {
  [queueServer, cacheServer] = await Promise.all([
    TestRedisServer.start(),
    TestRedisServer.start(),
  ]);
  api = await TestApi.start({ REDIS_URL: queueServer.url(0), REDIS_CACHE_URL: cacheServer.url(0) });
  user = await api.createUser("pro");
  for (let i = 0; i < 5; i++) {
    const { body } = await api.request("POST", "/api/v1/scans", { key: user.key, body: { type: "secrets", input: secretsInput(`slow-${i}`) } });
    await api.completeRun(body.id, RESULT);
    scanIds.push(body.id);
  }
});
afterAll(async () => {
  await api.close();
  await Promise.all([queueServer.stop(), cacheServer.stop()]);
});

/**
 * Stops a server from answering for `ms`: every command sent meanwhile waits, as behind a server in DEBUG
 * SLEEP. CLIENT PAUSE rather than DEBUG SLEEP because its OK says the stall has begun, where a loaded
 * machine may run a DEBUG SLEEP late, after commands sent after it. `isOver()` is conservative: the pause
 * began after it was sent, so it ends no earlier than `ms` after that; `over` resolves once the server
 * answers again.
 */
async function stallServer(server: TestRedisServer, ms: number): Promise<{ over: Promise<void>; isOver: () => boolean }> {
  const admin = new Redis(server.url());
  const sentAt = performance.now();
  await admin.call("CLIENT", "PAUSE", String(ms), "ALL");
  const over = admin.ping().then(() => admin.disconnect());
  return { over, isOver: () => performance.now() >= sentAt + ms };
}

/** A request, timed, and whether it was answered before the stall ended. */
async function timedRequest(isOver: () => boolean, path: string, key?: string): Promise<TestResponse & { ms: number; beforeEnd: boolean }> {
  const started = performance.now();
  const response = await api.request("GET", path, { key });
  return { ...response, ms: performance.now() - started, beforeEnd: !isOver() };
}

describe("a cache Redis that stops answering", () => {
  it(`/ready (200: the cache is not needed) and /health answer promptly, and ${CONCURRENT_GETS} concurrent cache-hit reads all answer 200 before the stall ends`, async () => {
    for (const id of scanIds) {
      await api.request("GET", `/api/v1/scans/${id}`, { key: user.key });
      expect((await api.request("GET", `/api/v1/scans/${id}`, { key: user.key })).headers.get("x-cache-status")).toBe("HIT");
    }

    const { over, isOver } = await stallServer(cacheServer, CACHE_STALL_MS);
    const [ready, health] = await Promise.all([timedRequest(isOver, "/ready"), timedRequest(isOver, "/health")]);
    const reads = await Promise.all(
      Array.from({ length: CONCURRENT_GETS }, (_, i) => timedRequest(isOver, `/api/v1/scans/${scanIds[i % scanIds.length]}`, user.key)),
    );
    console.log(
      `[api] cache Redis stalled for ${CACHE_STALL_MS} ms: /ready ${ready.ms.toFixed(0)} ms, /health ${health.ms.toFixed(0)} ms, slowest of ${CONCURRENT_GETS} reads ${Math.max(...reads.map((r) => r.ms)).toFixed(0)} ms`,
    );

    expect(ready).toMatchObject({ status: 200, body: { ready: true, database: "connected", redis_queue: "connected" }, beforeEnd: true });
    expect(ready.ms).toBeLessThan(CACHE_STALL_MS / 4);
    expect(health).toMatchObject({
      status: 200,
      body: { status: "degraded", database: "connected", redis_queue: "connected", redis_cache: "disconnected" },
      beforeEnd: true,
    });
    expect(health.ms).toBeLessThan(CACHE_STALL_MS / 4);
    for (const [i, read] of reads.entries()) {
      expect(read).toMatchObject({ status: 200, body: { id: scanIds[i % scanIds.length], status: "completed" }, beforeEnd: true });
      expect(["BYPASS", "HIT"]).toContain(read.headers.get("x-cache-status"));
    }

    await over;
    await waitFor(async () => (await api.request("GET", `/api/v1/scans/${scanIds[0]}`, { key: user.key })).headers.get("x-cache-status") === "HIT", {
      what: "cache hits after the cache Redis stall",
    });
    await waitFor(async () => (await api.request("GET", "/health")).body.status === "ok", { what: "/health ok again" });
  });
});

describe("what /ready needs", () => {
  it("/ready does not ask the cache Redis at all; /health does", async () => {
    const cacheAdmin = new Redis(cacheServer.url());
    const pings = async () => Number(/cmdstat_ping:calls=(\d+)/.exec(await cacheAdmin.info("commandstats"))?.[1] ?? 0);
    try {
      const before = await pings();
      for (let i = 0; i < 3; i++) expect((await api.request("GET", "/ready")).status).toBe(200);
      expect(await pings()).toBe(before);
      expect((await api.request("GET", "/health")).body.redis_cache).toBe("connected");
      expect(await pings()).toBe(before + 1);
    } finally {
      cacheAdmin.disconnect();
    }
  });

  it("/ready answers 503 promptly while the queue Redis does not answer, and 200 once it does; /health answers promptly", async () => {
    const { over, isOver } = await stallServer(queueServer, QUEUE_STALL_MS);
    const readies = await Promise.all(Array.from({ length: 5 }, () => timedRequest(isOver, "/ready")));
    const health = await timedRequest(isOver, "/health");
    console.log(`[api] queue Redis stalled: /ready ${readies.map((r) => r.ms.toFixed(0)).join(", ")} ms, /health ${health.ms.toFixed(0)} ms`);

    for (const ready of readies) {
      expect(ready).toMatchObject({ status: 503, body: { ready: false, database: "connected", redis_queue: "disconnected" }, beforeEnd: true });
      expect(ready.ms).toBeLessThan(QUEUE_STALL_MS / 4);
    }
    expect(health).toMatchObject({ status: 200, body: { status: "degraded", database: "connected", redis_queue: "disconnected" }, beforeEnd: true });
    expect(health.ms).toBeLessThan(QUEUE_STALL_MS / 4);

    await over;
    await waitFor(async () => (await api.request("GET", "/ready")).status === 200, { what: "/ready 200 after the queue Redis stall" });
  });

  it("/ready and /health answer 503 when Postgres is unreachable (a probe pointed at a closed port)", async () => {
    const pool = createPool({ connectionString: `postgres://postgres@127.0.0.1:${await freePort()}/secapi`, max: 1 });
    const queueRedis = new Redis(queueServer.url(0));
    const cacheRedis = new Redis(cacheServer.url(0));
    const health = new HealthProbe({ db: createDb(pool), redis: { redis_queue: queueRedis, redis_cache: cacheRedis } });
    const app = express().use(healthRouter({ health } as unknown as ApiContext));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      await waitFor(() => queueRedis.status === "ready" && cacheRedis.status === "ready", { what: "the probe's Redis connections" });
      const ready = await fetch(`${url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, database: "disconnected", redis_queue: "connected" });
      const healthResponse = await fetch(`${url}/health`);
      expect(healthResponse.status).toBe(503);
      expect(await healthResponse.json()).toEqual({ status: "degraded", database: "disconnected", redis_queue: "connected", redis_cache: "connected" });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      queueRedis.disconnect();
      cacheRedis.disconnect();
      await pool.end();
    }
  });
});
