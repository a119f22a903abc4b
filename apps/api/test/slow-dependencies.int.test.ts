import type { AddressInfo } from "node:net";
import { loadConfig } from "@secapi/config";
import { createDb, createPool } from "@secapi/db";
import { HealthProbe } from "@secapi/runtime";
import { TestRedisServer, freePort, waitFor } from "@secapi/testing";
import express from "express";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiContext } from "../src/context.js";
import { healthRouter } from "../src/routes/health.routes.js";
import { TestApi, type TestResponse, secretsInput } from "./api-fixture.js";

// A queue Redis and a cache Redis of this file's own, stalled in turn (SIGSTOP, TestRedisServer.stall): they
// keep their connections and answer nothing until the test has seen every request answer.
let queueServer: TestRedisServer;
let cacheServer: TestRedisServer;
let api: TestApi;
let user: { id: string; key: string };
const scanIds: string[] = [];

// The longest a stall lasts: a request that waited for the stalled Redis answers only after it, and fails the
// test. Far longer than 50 reads that all go to Postgres while the cache is away take on a loaded machine.
const STALL_MS = 30_000;
const CONCURRENT_GETS = 50;
const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };

beforeAll(async () => {
  [queueServer, cacheServer] = await Promise.all([TestRedisServer.start(), TestRedisServer.start()]);
  // The production timeouts: they are what keeps the API answering while a Redis hangs.
  api = await TestApi.start({ REDIS_URL: queueServer.url(0), REDIS_CACHE_URL: cacheServer.url(0) }, TestApi.PRODUCTION_TIMEOUTS);
  user = await api.createUser("pro");
  for (let i = 0; i < 5; i++) {
    const { body } = await api.request("POST", "/api/v1/scans", {
      key: user.key,
      body: { type: "secrets", input: secretsInput(`slow-${i}`) },
    });
    await api.completeRun(body.id, RESULT);
    scanIds.push(body.id);
  }
});
afterAll(async () => {
  await api.close();
  await Promise.all([queueServer.stop(), cacheServer.stop()]);
});

/** A request, timed, and whether it was answered before the stall ended. */
async function timedRequest(isOver: () => boolean, path: string, key?: string): Promise<TestResponse & { ms: number; beforeEnd: boolean }> {
  const started = performance.now();
  const response = await api.request("GET", path, { key });
  return { ...response, ms: performance.now() - started, beforeEnd: !isOver() };
}

type Timed = TestResponse & { ms: number; beforeEnd: boolean };

/**
 * Asks `path` until the answer is `wanted`, for as long as the stall lasts: the last answer, timed. With the
 * production timeouts a loaded machine may let a dependency that is not stalled (Postgres) answer a probe
 * late; an answer that needs the stalled server never comes before the stall ends, and fails the test.
 */
async function requestUntil(isOver: () => boolean, path: string, wanted: (response: Timed) => boolean): Promise<Timed> {
  for (;;) {
    const response = await timedRequest(isOver, path);
    if (wanted(response) || !response.beforeEnd) return response;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("a cache Redis that stops answering", () => {
  it(
    `/ready (200: the cache is not needed) and /health answer promptly, and ${CONCURRENT_GETS} concurrent cache-hit reads all answer 200 before the stall ends`,
    { timeout: 180_000 },
    async () => {
      // Cached first (with the production 50 ms timeout a loaded machine may bypass a read or two: retried).
      for (const id of scanIds) {
        await waitFor(
          async () => (await api.request("GET", `/api/v1/scans/${id}`, { key: user.key })).headers.get("x-cache-status") === "HIT",
          {
            what: `scan ${id} cached`,
          },
        );
      }

      const stall = cacheServer.stall(STALL_MS);
      const { isOver } = stall;
      const [ready, health] = await Promise.all([
        requestUntil(isOver, "/ready", (r) => r.status === 200),
        requestUntil(isOver, "/health", (r) => r.body?.database === "connected" && r.body?.redis_queue === "connected"),
      ]);
      const reads = await Promise.all(
        Array.from({ length: CONCURRENT_GETS }, (_, i) => timedRequest(isOver, `/api/v1/scans/${scanIds[i % scanIds.length]}`, user.key)),
      );
      await stall.end();
      console.log(
        `[api] cache Redis stalled: /ready ${ready.ms.toFixed(0)} ms, /health ${health.ms.toFixed(0)} ms, slowest of ${CONCURRENT_GETS} reads ${Math.max(...reads.map((r) => r.ms)).toFixed(0)} ms`,
      );

      expect(ready).toMatchObject({ status: 200, body: { ready: true, database: "connected", redis_queue: "connected" }, beforeEnd: true });
      expect(ready.ms).toBeLessThan(STALL_MS / 4);
      expect(health).toMatchObject({
        status: 200,
        body: { status: "degraded", database: "connected", redis_queue: "connected", redis_cache: "disconnected" },
        beforeEnd: true,
      });
      expect(health.ms).toBeLessThan(STALL_MS / 4);
      for (const [i, read] of reads.entries()) {
        expect(read).toMatchObject({ status: 200, body: { id: scanIds[i % scanIds.length], status: "completed" }, beforeEnd: true });
        expect(["BYPASS", "HIT"]).toContain(read.headers.get("x-cache-status"));
      }

      await waitFor(
        async () => (await api.request("GET", `/api/v1/scans/${scanIds[0]}`, { key: user.key })).headers.get("x-cache-status") === "HIT",
        {
          what: "cache hits after the cache Redis stall",
        },
      );
      await waitFor(async () => (await api.request("GET", "/health")).body.status === "ok", { what: "/health ok again" });
    },
  );
});

describe("what /ready needs", () => {
  it("/ready does not ask the cache Redis at all; /health does", async () => {
    const cacheAdmin = new Redis(cacheServer.url());
    const pings = async () => Number(/cmdstat_ping:calls=(\d+)/.exec(await cacheAdmin.info("commandstats"))?.[1] ?? 0);
    try {
      // Counts, not statuses: with the production 100 ms timeout a loaded machine may answer a 503.
      const before = await pings();
      for (let i = 0; i < 3; i++)
        expect(Object.keys((await api.request("GET", "/ready")).body).sort()).toEqual(["database", "ready", "redis_queue"]);
      expect(await pings()).toBe(before);
      expect((await api.request("GET", "/health")).body).toHaveProperty("redis_cache");
      expect(await pings()).toBe(before + 1);
    } finally {
      cacheAdmin.disconnect();
    }
  });

  it(
    "/ready answers 503 promptly while the queue Redis does not answer, and 200 once it does; /health answers promptly",
    { timeout: 180_000 },
    async () => {
      const stall = queueServer.stall(STALL_MS);
      const { isOver } = stall;
      const readies = await Promise.all(
        Array.from({ length: 5 }, () => requestUntil(isOver, "/ready", (r) => r.body?.database === "connected")),
      );
      const health = await requestUntil(isOver, "/health", (r) => r.body?.database === "connected");
      await stall.end();
      console.log(
        `[api] queue Redis stalled: /ready ${readies.map((r) => r.ms.toFixed(0)).join(", ")} ms, /health ${health.ms.toFixed(0)} ms`,
      );

      for (const ready of readies) {
        expect(ready).toMatchObject({
          status: 503,
          body: { ready: false, database: "connected", redis_queue: "disconnected" },
          beforeEnd: true,
        });
        expect(ready.ms).toBeLessThan(STALL_MS / 4);
      }
      expect(health).toMatchObject({
        status: 200,
        body: { status: "degraded", database: "connected", redis_queue: "disconnected" },
        beforeEnd: true,
      });
      expect(health.ms).toBeLessThan(STALL_MS / 4);

      await waitFor(async () => (await api.request("GET", "/ready")).status === 200, { what: "/ready 200 after the queue Redis stall" });
    },
  );

  /** The health routes on a probe whose Postgres is at `databaseUrl` and whose Redis clients are given. */
  async function healthApp(databaseUrl: string, redis: { redis_queue: Redis; redis_cache: Redis }) {
    const pool = createPool({ connectionString: databaseUrl, max: 1 });
    const db = createDb(pool);
    const health = new HealthProbe({ db, redis });
    const app = express().use(healthRouter({ health, db, config: loadConfig({}) } as unknown as ApiContext));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = async (path: string) => {
      const response = await fetch(`${url}${path}`);
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    return { get, close: () => Promise.all([new Promise((resolve) => server.close(resolve)), pool.end()]) };
  }

  it("without Postgres (a closed port) /ready answers 503, /health 200 degraded (cached reads still serve), /live 200", async () => {
    const queueRedis = new Redis(queueServer.url(0));
    const cacheRedis = new Redis(cacheServer.url(0));
    const app = await healthApp(`postgres://postgres@127.0.0.1:${await freePort()}/secapi`, {
      redis_queue: queueRedis,
      redis_cache: cacheRedis,
    });
    try {
      await waitFor(() => queueRedis.status === "ready" && cacheRedis.status === "ready", { what: "the probe's Redis connections" });
      expect(await app.get("/ready")).toEqual({ status: 503, body: { ready: false, database: "disconnected", redis_queue: "connected" } });
      expect(await app.get("/health")).toEqual({
        status: 200,
        body: { status: "degraded", database: "disconnected", redis_queue: "connected", redis_cache: "connected" },
      });
      expect(await app.get("/live")).toEqual({ status: 200, body: { status: "alive" } });
    } finally {
      await app.close();
      queueRedis.disconnect();
      cacheRedis.disconnect();
    }
  });

  it("with Postgres and both Redis unreachable /health answers 503 (nothing can be served) and /live still 200", async () => {
    const closed = async () => new Redis(`redis://127.0.0.1:${await freePort()}`, { lazyConnect: true, retryStrategy: () => null });
    const [queueRedis, cacheRedis] = await Promise.all([closed(), closed()]);
    const app = await healthApp(`postgres://postgres@127.0.0.1:${await freePort()}/secapi`, {
      redis_queue: queueRedis,
      redis_cache: cacheRedis,
    });
    try {
      expect(await app.get("/health")).toEqual({
        status: 503,
        body: { status: "degraded", database: "disconnected", redis_queue: "disconnected", redis_cache: "disconnected" },
      });
      expect(await app.get("/live")).toEqual({ status: 200, body: { status: "alive" } });
    } finally {
      await app.close();
    }
  });
});
