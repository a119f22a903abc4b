import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestRedisServer, freePort, uniqueId, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { probe, ranScanCounts, runsFinished, secrets } from "./outage-load.js";
import { Stack } from "./stack.js";

// Issue "Survive faults": only the queue Redis goes away (a redis-server of its own, killed with SIGKILL: no goodbye
// to its clients, then started again on the same port; then hung with SIGSTOP, its connections open and nothing
// answered, then resumed) while the api, a scan-worker and a cache-worker run under a small submit/poll load, the
// cache Redis (another server) untouched. No process exits, the only 5xx are 503s that
// say when to retry, and after recovery every accepted scan completes exactly once, without restarting anything.
// Phases end by what the clients have seen (and a few seconds at least for the outage), not after fixed sleeps.

/** The outage lasts at least this long: longer than the relays' and BullMQ's first reconnection attempts. */
const MIN_OUTAGE_MS = 4_000;
const CLIENTS = 4;

let queueServer: TestRedisServer;
let cacheServer: TestRedisServer;
let queueDir: string;
let stack: Stack;
let key: string;
let scanWorkerUrl: string;
let cacheWorkerUrl: string;

beforeAll(async () => {
  // The queue Redis as production runs it: AOF on, every write synced, so a crash loses no job it acknowledged.
  queueDir = mkdtempSync(join(tmpdir(), "secapi-queue-redis-"));
  [queueServer, cacheServer] = await Promise.all([
    TestRedisServer.start(["--appendonly", "yes", "--appendfsync", "always", "--dir", queueDir]),
    TestRedisServer.start(),
  ]);
  stack = await Stack.create({
    REDIS_URL: queueServer.url(0),
    REDIS_CACHE_URL: cacheServer.url(0),
    // The clients loop as fast as the API answers: this test is about the outage, not the request limit.
    TIER_LIMITS: JSON.stringify({ business: { requests_per_minute: 1_000_000, scans_per_hour: 1_000_000 } }),
    // The production limiter timeout: with the queue Redis hung, each check waits this long before counting in
    // process (harmless under these limits), instead of the Stack's generous 5 s.
    RATE_LIMIT_REDIS_TIMEOUT_MS: "250",
  });
  await stack.startApi();
  const scanWorkerPort = String(await freePort());
  await stack.startScanWorker({ SCAN_WORKER_PORT: scanWorkerPort });
  scanWorkerUrl = `http://127.0.0.1:${scanWorkerPort}`;
  cacheWorkerUrl = `http://127.0.0.1:${(await stack.startCacheWorker()).port}`;
  key = (await stack.createUser("business")).api_key;
});
afterAll(async () => {
  await stack?.close();
  await Promise.all([queueServer?.stop(), cacheServer?.stop()]);
  rmSync(queueDir, { recursive: true, force: true });
});

interface Answer {
  what: "submit" | "poll" | "list";
  status: number;
  code?: string;
  retryAfter: string | null;
  phase: "before" | "outage" | "after";
}

/**
 * The load, the outage (`begin` to `end`) in its middle, and every check of this file. Several outages run one after
 * another on the same stack: each checks every scan accepted so far, its own and the earlier ones'.
 */
async function outageUnderLoad(kind: string, begin: () => Promise<void> | void, end: () => Promise<void>): Promise<void> {
  let phase: Answer["phase"] = "before";
  const answers: Answer[] = [];
  const accepted: string[] = [];
  let running = true;
  const record = (what: Answer["what"], response: { status: number; headers: Headers; body: any }) =>
    answers.push({ what, status: response.status, code: response.body?.code, retryAfter: response.headers.get("retry-after"), phase });
  const seen = (inPhase: Answer["phase"], what: Answer["what"], status?: number) =>
    answers.filter((a) => a.phase === inPhase && a.what === what && (status === undefined || a.status === status)).length;
  // Each client submits a scan of its own, polls its latest accepted scan twice (no ?wait: the load keeps moving)
  // and lists; a scan accepted before the outage may still be queued when the queue Redis goes.
  const client = async (n: number) => {
    let latest: string | undefined;
    for (let i = 0; running; i++) {
      const submitted = await stack.request("POST", "/api/v1/scans", key, secrets(`${n}-${i}-${uniqueId("s")}`));
      record("submit", submitted);
      if (submitted.status === 202) {
        accepted.push(submitted.body.id);
        latest = submitted.body.id;
      }
      if (latest) for (let p = 0; p < 2; p++) record("poll", await stack.request("GET", `/api/v1/scans/${latest}`, key));
      record("list", await stack.request("GET", "/api/v1/scans?limit=5", key));
      // Paced: a few scans a second are load enough, and every one of them must run before the test ends.
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const clients = Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
  let apiHealth: { status: number; body: any };
  let ready: { status: number; body: any };
  let live: number[];
  try {
    await waitFor(async () => seen("before", "submit", 202) >= 2 * CLIENTS, { timeoutMs: 60_000, what: "load before the outage" });

    await begin();
    phase = "outage";
    const outageStarted = Date.now();
    apiHealth = await waitFor(async () => {
      const answer = await probe(`${stack.apiUrl}/health`);
      return answer.body.redis_queue === "disconnected" ? answer : undefined;
    });
    ready = await probe(`${stack.apiUrl}/ready`);
    await waitFor(
      async () =>
        Date.now() - outageStarted >= MIN_OUTAGE_MS &&
        seen("outage", "submit") >= 2 * CLIENTS &&
        seen("outage", "poll") >= 2 * CLIENTS &&
        seen("outage", "list") >= CLIENTS,
      { timeoutMs: 120_000, what: "requests answered during the outage" },
    );
    live = await Promise.all([stack.apiUrl, scanWorkerUrl, cacheWorkerUrl].map(async (base) => (await probe(`${base}/live`)).status));
    await end();
    phase = "after";
    console.log(
      `[e2e] queue Redis ${kind} ${((Date.now() - outageStarted) / 1000).toFixed(1)} s; answers during it (what:status → count): ${JSON.stringify(
        answers
          .filter((a) => a.phase === "outage")
          .reduce<Record<string, number>>((counts, a) => {
            counts[`${a.what}:${a.status}`] = (counts[`${a.what}:${a.status}`] ?? 0) + 1;
            return counts;
          }, {}),
      )}`,
    );
    // Until submissions are accepted again and run: the relays and BullMQ reconnect on their own.
    await waitFor(async () => seen("after", "submit", 202) >= 2 * CLIENTS, { timeoutMs: 60_000, what: "submissions after the outage" });
  } finally {
    // A failed wait must not leave the clients running into the stack's teardown.
    running = false;
    await clients.catch(() => undefined);
  }
  await clients;

  expect(stack.processes.filter((p) => !p.running).map((p) => p.name)).toEqual([]);
  expect(apiHealth).toMatchObject({ status: 200, body: { status: "degraded", redis_queue: "disconnected", database: "connected" } });
  expect(ready.status).toBe(503);
  expect(live).toEqual([200, 200, 200]);
  const outage = answers.filter((a) => a.phase === "outage");
  expect(outage.length).toBeGreaterThan(0);
  // A submission waits in the outbox while the queue Redis is away: still accepted.
  expect(outage.filter((a) => a.what === "submit" && a.status === 202).length).toBeGreaterThan(0);
  // Nothing but success, or a 503 that says when to retry.
  const unexpected = answers.filter((a) => ![200, 202, 503].includes(a.status) || (a.status === 503 && a.retryAfter === null));
  expect(unexpected).toEqual([]);

  // Every accepted scan completes, the ones that waited in the outbox and the ones queued before the outage alike.
  for (const id of accepted) {
    const done = await stack.pollUntilDone(`/api/v1/scans/${id}`, key, 120_000);
    expect(done.status).toBe("completed");
    expect(done.result.summary.total).toBe(1);
  }
  await waitFor(async () => (await probe(`${stack.apiUrl}/ready`)).status === 200, { what: "/ready 200 again" });

  // Exactly once: each scan that ran (a distinct input: one run each) completed with a result of its own, and the
  // scan-worker carried exactly that many runs to the end, so no job was delivered and run twice. Counted from
  // Postgres, not from the 202s: a submission answered 503 may still have committed.
  const counts = await ranScanCounts(stack.env.DATABASE_URL);
  expect(counts.scans).toBeGreaterThanOrEqual(accepted.length);
  expect(counts).toEqual({ scans: counts.scans, completed: counts.scans, results: counts.scans });
  expect(await waitFor(async () => ((await runsFinished(scanWorkerUrl)) >= counts.scans ? runsFinished(scanWorkerUrl) : undefined))).toBe(
    counts.scans,
  );
}

describe("the queue Redis away under load", () => {
  it("killed (SIGKILL), then started again on the same port: every process stays up, nothing 5xx but 503 with Retry-After, every accepted scan runs exactly once", () =>
    outageUnderLoad(
      "killed",
      () => queueServer.stop(),
      () => queueServer.start(),
    ));

  it("hung (SIGSTOP: connections open, nothing answered), then resumed: the same", () =>
    outageUnderLoad(
      "hung",
      () => queueServer.pause(),
      () => queueServer.resume(),
    ));
});
