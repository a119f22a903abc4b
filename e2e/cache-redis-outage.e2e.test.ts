import { TestRedisServer, freePort, uniqueId, waitFor } from "@secapi/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe, ranScanCounts, runsFinished, secrets } from "./outage-load.js";
import { Stack } from "./stack.js";

// Issue "Survive faults": only the cache Redis goes away (its own redis-server, killed with SIGKILL: no goodbye to
// its clients) while the api, a scan-worker and a cache-worker run under a light submit/read/list load. No process
// exits, nothing but 200/202 on those routes (the cache is optional: BYPASS), the probes keep every process in
// service, and every accepted scan completes exactly once, before and after the cache returns (empty, as a
// restarted cache would). Phases end by what the clients have seen, not after fixed sleeps.

let cacheServer: TestRedisServer;
let stack: Stack;
let key: string;
let scanWorkerUrl: string;
let cacheWorkerUrl: string;

beforeAll(async () => {
  cacheServer = await TestRedisServer.start();
  stack = await Stack.create({
    REDIS_CACHE_URL: cacheServer.url(0),
    // The clients loop as fast as the API answers: this test is about the outage, not the request limit.
    TIER_LIMITS: JSON.stringify({ business: { requests_per_minute: 1_000_000, scans_per_hour: 1_000_000 } }),
  });
  await stack.startApi();
  const scanWorkerPort = String(await freePort());
  await stack.startScanWorker({ SCAN_WORKER_PORT: scanWorkerPort });
  scanWorkerUrl = `http://127.0.0.1:${scanWorkerPort}`;
  cacheWorkerUrl = `http://127.0.0.1:${(await stack.startCacheWorker()).port}`;
  key = (await stack.createUser("business")).api_key;
});
afterAll(async () => {
  await stack.close();
  await cacheServer.stop();
});

interface Answer {
  what: "submit" | "read" | "list";
  status: number;
  code?: string;
  phase: "before" | "outage" | "after";
}

describe("the cache Redis killed (SIGKILL) under load", () => {
  it("keeps every process up and answering, and every accepted scan completes exactly once", async () => {
    const first = await stack.request("POST", "/api/v1/scans", key, secrets("first"));
    expect(first.status).toBe(202);
    expect((await stack.pollUntilDone(`/api/v1/scans/${first.body.id}`, key)).status).toBe("completed");
    await waitFor(async () => (await stack.request("GET", `/api/v1/scans/${first.body.id}`, key)).headers.get("x-cache-status") === "HIT");

    let phase: Answer["phase"] = "before";
    const answers: Answer[] = [];
    const accepted: string[] = [first.body.id];
    let hitsAfter = 0;
    let running = true;
    const record = (what: Answer["what"], response: { status: number; body: any }) =>
      answers.push({ what, status: response.status, code: response.body?.code, phase });
    const seen = (inPhase: Answer["phase"], what: Answer["what"], status?: number) =>
      answers.filter((a) => a.phase === inPhase && a.what === what && (status === undefined || a.status === status)).length;
    const client = async (n: number) => {
      for (let i = 0; running; i++) {
        const submitted = await stack.request("POST", "/api/v1/scans", key, secrets(`${n}-${i}-${uniqueId("s")}`));
        record("submit", submitted);
        if (submitted.status === 202) accepted.push(submitted.body.id);
        const read = await stack.request("GET", `/api/v1/scans/${first.body.id}`, key);
        record("read", read);
        if (phase === "after" && read.headers.get("x-cache-status") === "HIT") hitsAfter++;
        record("list", await stack.request("GET", "/api/v1/scans?limit=5", key));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const clients = Promise.all([0, 1, 2].map(client));
    await waitFor(async () => seen("before", "submit", 202) >= 6, { timeoutMs: 60_000, what: "load before the outage" });

    await cacheServer.stop();
    phase = "outage";
    const disconnected = (base: string, path: string) =>
      waitFor(async () => {
        const answer = await probe(`${base}${path}`);
        return answer.body.redis_cache === "disconnected" ? answer : undefined;
      });
    const [apiHealth, cacheWorkerHealth] = await Promise.all([
      disconnected(stack.apiUrl, "/health"),
      disconnected(cacheWorkerUrl, "/health"),
    ]);
    const probes = {
      ready: (await probe(`${stack.apiUrl}/ready`)).status,
      live: await Promise.all([stack.apiUrl, scanWorkerUrl, cacheWorkerUrl].map(async (base) => (await probe(`${base}/live`)).status)),
      scanWorkerHealth: (await probe(`${scanWorkerUrl}/health`)).status,
    };
    // The one documented 503 of a cache outage: the cache's own routes.
    const cacheHealth = await stack.request("GET", "/api/v1/cache/health", key);
    await waitFor(async () => seen("outage", "submit", 202) >= 8 && seen("outage", "read") >= 8 && seen("outage", "list") >= 8, {
      timeoutMs: 120_000,
      what: "requests answered during the outage",
    });

    await cacheServer.start();
    phase = "after";
    // Until the cache serves again: reads are cached afresh and answered from it.
    await waitFor(async () => seen("after", "submit", 202) >= 6 && hitsAfter >= 3, {
      timeoutMs: 120_000,
      what: "cache hits after the outage",
    });
    running = false;
    await clients;

    expect(stack.processes.filter((p) => !p.running).map((p) => p.name)).toEqual([]);
    expect(apiHealth).toMatchObject({ status: 200, body: { status: "degraded", database: "connected", redis_queue: "connected" } });
    expect(cacheWorkerHealth).toMatchObject({ status: 200, body: { status: "degraded", database: "connected" } });
    expect(probes).toEqual({ ready: 200, live: [200, 200, 200], scanWorkerHealth: 200 });
    expect(cacheHealth.status).toBe(503);
    expect(answers.filter((a) => a.phase === "outage").length).toBeGreaterThan(0);
    // The cache is optional: not a single error on the routes the clients use, in any phase.
    expect(answers.filter((a) => a.status !== 200 && a.status !== 202)).toEqual([]);

    for (const id of accepted) {
      const done = await stack.pollUntilDone(`/api/v1/scans/${id}`, key, 120_000);
      expect(done.status).toBe("completed");
      // The whole scan in the message: a completed secrets scan without its one finding has been seen once in CI.
      expect(done.result.summary.total, JSON.stringify(done)).toBe(1);
    }
    // The cache-worker's invalidations and warming that failed meanwhile were retried, and none was given up on.
    const redis = new Redis(stack.env.REDIS_URL!, { maxRetriesPerRequest: 1 });
    const events = new Queue("events", { connection: redis, prefix: stack.env.QUEUE_PREFIX });
    try {
      const counts = await waitFor(
        async () => {
          const { waiting = 0, active = 0, delayed = 0, failed = 0 } = await events.getJobCounts("waiting", "active", "delayed", "failed");
          return waiting + active + delayed === 0 ? { failed } : undefined;
        },
        { timeoutMs: 120_000, what: "the events queue to drain" },
      );
      expect(counts.failed).toBe(0);
      await waitFor(async () => (await probe(`${cacheWorkerUrl}/health`)).body.status === "ok", { what: "the cache-worker ok again" });
    } finally {
      await events.close();
      redis.disconnect();
    }

    // Exactly once: each scan that ran (a distinct input: one run each) completed with a result of its own, and the
    // scan-worker carried exactly that many runs to the end.
    const counts = await ranScanCounts(stack.env.DATABASE_URL);
    expect(counts.scans).toBe(accepted.length);
    expect(counts).toEqual({ scans: counts.scans, completed: counts.scans, results: counts.scans });
    expect(await runsFinished(scanWorkerUrl)).toBe(counts.scans);
  });
});
