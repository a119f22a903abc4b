import { type TestPostgresServer, uniqueId, waitFor } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPrivateServersStack } from "./private-servers-stack.js";
import { probe, ranScanCounts, runsFinished, secrets } from "./outage-load.js";
import { type Stack } from "./stack.js";

// Issue "Survive faults": Postgres stopped (immediate: every connection dropped) under load. No process exits,
// no 5xx but 503 during the outage, cached reads keep working, and every accepted scan completes afterwards,
// without restarting anything. A cached read whose cache lookup is bypassed on a loaded machine (a slow cache
// Redis call) is answered from the cache entry after Postgres refuses it (stale-if-error): still a 200. Phases
// end by what the clients have seen, not after fixed sleeps.

let postgres: TestPostgresServer;
let stack: Stack;
let closeStack: () => Promise<void>;
let key: string;
let scanWorkerUrl: string;
let cacheWorkerUrl: string;

beforeAll(async () => {
  ({
    postgres,
    stack,
    scanWorkerUrl,
    close: closeStack,
  } = await startPrivateServersStack({
    // The clients loop as fast as the API answers, and 503s come back quickly: this test is about the outage,
    // not the request limit, which a busy machine's longer recovery would otherwise reach.
    TIER_LIMITS: JSON.stringify({ business: { requests_per_minute: 1_000_000, scans_per_hour: 1_000_000 } }),
  }));
  cacheWorkerUrl = `http://127.0.0.1:${(await stack.startCacheWorker()).port}`;
  key = (await stack.createUser("business")).api_key;
});
afterAll(() => closeStack());

interface Answer {
  what: "submit" | "read" | "repeat";
  status: number;
  code?: string;
  retryAfter: string | null;
  cacheStatus: string | null;
  warning: string | null;
  phase: "before" | "outage" | "after";
}

describe("a Postgres outage under load", () => {
  it("answers 503 for what needs Postgres, keeps cached reads working, loses no accepted scan, and recovers by itself", async () => {
    // A finished scan, read once so that its view is cached, and its input submitted again (a cached answer).
    const cachedInput = secrets("cached");
    const first = await stack.request("POST", "/api/v1/scans", key, cachedInput);
    expect(first.status).toBe(202);
    expect((await stack.pollUntilDone(`/api/v1/scans/${first.body.id}`, key)).status).toBe("completed");
    await waitFor(async () => (await stack.request("GET", `/api/v1/scans/${first.body.id}`, key)).headers.get("x-cache-status") === "HIT");
    await waitFor(async () => (await stack.request("POST", "/api/v1/scans", key, cachedInput)).headers.get("x-cache-status") === "HIT");

    let phase: Answer["phase"] = "before";
    const answers: Answer[] = [];
    const accepted: string[] = [];
    let running = true;
    const record = (what: Answer["what"], response: { status: number; headers: Headers; body: any }) =>
      answers.push({
        what,
        status: response.status,
        code: response.body?.code,
        retryAfter: response.headers.get("retry-after"),
        cacheStatus: response.headers.get("x-cache-status"),
        warning: response.headers.get("warning"),
        phase,
      });
    const seen = (phaseSeen: Answer["phase"], what: Answer["what"], status?: number) =>
      answers.filter((a) => a.phase === phaseSeen && a.what === what && (status === undefined || a.status === status)).length;
    const client = async (n: number) => {
      for (let i = 0; running; i++) {
        const submitted = await stack.request("POST", "/api/v1/scans", key, secrets(`${n}-${i}-${uniqueId("s")}`));
        record("submit", submitted);
        if (submitted.status === 202) accepted.push(submitted.body.id);
        record("read", await stack.request("GET", `/api/v1/scans/${first.body.id}`, key));
        record("repeat", await stack.request("POST", "/api/v1/scans", key, cachedInput));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const clients = Promise.all([0, 1, 2, 3].map(client));
    await waitFor(async () => seen("before", "submit", 202) >= 8, { timeoutMs: 60_000, what: "load before the outage" });

    // From the stop on: a request answered while Postgres was still shutting down is not an outage answer.
    await postgres.stop("immediate");
    phase = "outage";
    const outageStarted = Date.now();
    const health = await stack.request("GET", "/health", key);
    const ready = await stack.request("GET", "/ready", key);
    // The workers wait for Postgres: alive (a restart would not help), degraded.
    const workerHealth = await Promise.all(
      [scanWorkerUrl, cacheWorkerUrl].map((base) =>
        waitFor(async () => {
          const answer = await probe(`${base}/health`);
          return answer.body.database === "disconnected" ? answer : undefined;
        }),
      ),
    );
    const workerLive = await Promise.all([scanWorkerUrl, cacheWorkerUrl].map((base) => probe(`${base}/live`)));
    // Long enough for every client to meet the outage many times, on every kind of request.
    await waitFor(async () => seen("outage", "submit", 503) >= 12 && seen("outage", "read") >= 12 && seen("outage", "repeat") >= 12, {
      timeoutMs: 120_000,
      what: "requests answered during the outage",
    });
    await postgres.start();
    phase = "after";
    // Cached principals live 60 s from their load (PRINCIPAL_TTL_SECONDS) and have no stale-if-error period: once the
    // caller's expires during the outage, its reads are 503s. How long the outage lasted helps read a failure.
    console.log(`[e2e] Postgres was down ${((Date.now() - outageStarted) / 1000).toFixed(0)} s`);
    // Until submissions are accepted again: the pools recover on their own.
    await waitFor(async () => seen("after", "submit", 202) >= 8, { timeoutMs: 60_000, what: "submissions accepted after the outage" });
    running = false;
    await clients;

    expect(stack.processes.filter((p) => !p.running).map((p) => p.name)).toEqual([]);
    // Still serving cached reads: 200 degraded, so no liveness or readiness probe takes the api away.
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "degraded", database: "disconnected" });
    expect(ready.status).toBe(503);
    for (const answer of workerHealth)
      expect(answer).toMatchObject({ status: 200, body: { status: "degraded", database: "disconnected" } });
    expect(workerLive).toEqual([
      { status: 200, body: { status: "alive" } },
      { status: 200, body: { status: "alive" } },
    ]);

    const outage = answers.filter((a) => a.phase === "outage");
    expect(outage.length).toBeGreaterThan(0);
    // Nothing but a cached answer or a 503 that says why and when to retry.
    const unexpected = answers.filter(
      (a) => ![200, 202, 503].includes(a.status) || (a.status === 503 && (a.code !== "database_unavailable" || a.retryAfter === null)),
    );
    expect(unexpected).toEqual([]);
    expect(outage.filter((a) => a.what === "submit" && a.status === 503).length).toBeGreaterThan(0);
    // Cached reads and cached answers never needed Postgres: from the cache as is (HIT), or, when that lookup was
    // bypassed and Postgres then refused, from the cache entry as a stale-if-error answer that says so.
    expect(outage.filter((a) => a.what !== "submit" && a.status !== 200)).toEqual([]);
    const fromCache = outage.filter((a) => a.what !== "submit");
    expect(fromCache.filter((a) => a.cacheStatus !== "HIT" && a.cacheStatus !== "STALE")).toEqual([]);
    expect(fromCache.filter((a) => (a.cacheStatus === "STALE") !== (a.warning !== null))).toEqual([]);

    // Every accepted scan completes.
    for (const id of accepted) {
      const done = await stack.pollUntilDone(`/api/v1/scans/${id}`, key, 120_000);
      expect(done.status).toBe("completed");
      expect(done.result.summary.total).toBe(1);
    }
    // Exactly once: every scan that ran (not answered from the cache; each a distinct input: one run each) is completed with a result of its own, and the
    // scan-worker carried exactly that many runs to the end, so no job was delivered and run twice. Counted from
    // Postgres, not from the 202s: a submission whose commit reached Postgres as it stopped was answered 503 yet
    // exists, and runs like the others.
    const counts = await ranScanCounts(stack.env.DATABASE_URL);
    expect(counts.scans).toBeGreaterThanOrEqual(accepted.length + 1);
    expect(counts).toEqual({ scans: counts.scans, completed: counts.scans, results: counts.scans });
    expect(await runsFinished(scanWorkerUrl)).toBe(counts.scans);
  });
});
