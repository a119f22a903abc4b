import { execFileSync } from "node:child_process";
import { TestRedisServer, freePort, waitFor } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";
import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, awsAccessKeyId } from "./stack.js";

let redis: TestRedisServer;
let stack: Stack;
let secondApiUrl: string;
let scanWorkerPort: string;
let cacheWorkerPort: string;
const planted = awsAccessKeyId();
const apiKeys: string[] = [];

beforeAll(async () => {
  // A Redis of this file's own: the test kills pub/sub clients, which must not disturb other test files.
  redis = await TestRedisServer.start();
  stack = await Stack.create({ REDIS_URL: redis.url(0), REDIS_CACHE_URL: redis.url(1) });
  await stack.startApi();
  const secondPort = String(await freePort());
  secondApiUrl = `http://127.0.0.1:${secondPort}`;
  await stack.startApi({ PORT: secondPort });
  scanWorkerPort = String(await freePort());
  await stack.startScanWorker({ SCAN_WORKER_PORT: scanWorkerPort });
  cacheWorkerPort = (await stack.startCacheWorker()).port;
});
afterAll(async () => {
  await stack.close();
  await redis.stop();
});

async function newUser(tier = "pro") {
  const user = await stack.createUser(tier);
  apiKeys.push(user.api_key);
  return user;
}

async function completedScan(key: string, content: string): Promise<string> {
  const submitted = await stack.request("POST", "/api/v1/scans", key, { type: "secrets", input: { files: [{ path: ".env", content }] } });
  expect(submitted.status).toBe(202);
  const done = await stack.pollUntilDone(`/api/v1/scans/${submitted.body.id}`, key);
  expect(done.status).toBe("completed");
  return submitted.body.id;
}

/** The first cache entry whose key matches `pattern` (SCAN over the whole cache database), if any. */
async function cachedResultKey(pattern: string): Promise<string | undefined> {
  const cache = new Redis(redis.url(1));
  try {
    let cursor = "0";
    do {
      const [next, keys] = await cache.scan(cursor, "MATCH", pattern, "COUNT", 1000);
      if (keys[0]) return keys[0];
      cursor = next;
    } while (cursor !== "0");
    return undefined;
  } finally {
    cache.disconnect();
  }
}

/** Reads a scan through the second API until it is a HIT (so its L1 holds it). */
async function warmOnSecondApi(id: string, key: string) {
  await waitFor(async () => {
    const response = await stack.request("GET", `/api/v1/scans/${id}`, key, undefined, secondApiUrl);
    return response.headers.get("x-cache-status") === "HIT";
  });
}

/** The fence bound of every API process: the latest its L1 may serve an entry invalidated elsewhere. */
const FENCE_MS = 100;

/**
 * Deletes through the first API and polls the second until it stops serving the scan; returns the ms from
 * the delete's answer (the invalidation was committed before it) to the start of the first GET that answered
 * 404. Fails if a GET *started* more than FENCE_MS after the delete answered still got the scan: the fence's
 * guarantee, with no margin, and sound however loaded the machine is (it compares when a GET began, not how
 * long anything took). The latency itself is printed; `pnpm bench cache` measures it.
 */
async function msUntilSecondApiForgets(id: string, key: string): Promise<number> {
  expect((await stack.request("DELETE", `/api/v1/scans/${id}`, key)).status).toBe(204);
  const committedAt = performance.now();
  for (;;) {
    const started = performance.now();
    const response = await stack.request("GET", `/api/v1/scans/${id}`, key, undefined, secondApiUrl);
    if (response.status === 404) return started - committedAt;
    expect(response.status).toBe(200);
    if (started - committedAt > FENCE_MS)
      throw new Error(
        `the second API still served a deleted scan to a GET begun ${(started - committedAt).toFixed(1)} ms after the delete`,
      );
  }
}

/** How many clients are subscribed to the cache's invalidation channel. */
async function invalidationSubscribers(): Promise<number> {
  const admin = new Redis(redis.url(1));
  try {
    return ((await admin.pubsub("NUMSUB", "secapi:invalidate")) as [string, number])[1];
  } finally {
    admin.disconnect();
  }
}

describe("two API processes, a scan-worker and a cache-worker", () => {
  it("a mutation through one API stops the other's L1 within the fence bound, by pub/sub or without it", async () => {
    const user = await newUser();
    const first = await completedScan(user.api_key, "A=1");
    await warmOnSecondApi(first, user.api_key);
    // Both APIs listen (and the cache-worker). That the message alone is fast (whatever the fence) is shown in
    // packages/cache (invalidation.int.test.ts) and measured by `pnpm bench cache`.
    expect(await invalidationSubscribers()).toBeGreaterThanOrEqual(2);
    const withMessage = await msUntilSecondApiForgets(first, user.api_key);
    console.log(`invalidation seen by the other API process: ${withMessage.toFixed(1)} ms (pub/sub)`);

    const second = await completedScan(user.api_key, "B=2");
    await warmOnSecondApi(second, user.api_key);
    // Drop every subscriber: the message of the next mutation is lost; only the fence can help.
    const admin = new Redis(redis.url(1));
    await admin.client("KILL", "TYPE", "pubsub");
    admin.disconnect();
    const withoutMessage = await msUntilSecondApiForgets(second, user.api_key);
    console.log(`invalidation seen by the other API process: ${withoutMessage.toFixed(1)} ms (pub/sub lost, fence bound ${FENCE_MS} ms)`);
  });

  it("a pattern delete, through one API or the CLI, stops the other API's L1 from serving the keys", async () => {
    const user = await newUser();
    const id = await completedScan(user.api_key, "PATTERN=1");
    const admin = JSON.parse(
      await stack.cli("users", "create", "--email", `admin-${id}@example.com`, "--tier", "business", "--admin", "--json"),
    ) as { api_key: string };
    const db = new pg.Client({ connectionString: stack.database.url });
    await db.connect();
    try {
      // Postgres changes behind the cache's back: the second API shows it only once its L1 copy is gone.
      const changeBehindTheCache = async (completedAt: string) => {
        await warmOnSecondApi(id, user.api_key);
        await db.query("UPDATE scans SET completed_at = $1 WHERE id = $2", [completedAt, id]);
      };
      /** Polls the second API until it shows `completedAt`; fails if a GET begun FENCE_MS after the delete still did not. */
      const secondApiShows = async (completedAt: string, deletedAt: number) => {
        for (;;) {
          const started = performance.now();
          const response = await stack.request("GET", `/api/v1/scans/${id}`, user.api_key, undefined, secondApiUrl);
          expect(response.status).toBe(200);
          if (response.body.completed_at === completedAt) return;
          if (started - deletedAt > FENCE_MS)
            throw new Error(
              `the second API still served a key deleted by pattern to a GET begun ${(started - deletedAt).toFixed(1)} ms after the delete`,
            );
        }
      };

      await changeBehindTheCache("2001-01-01T00:00:00.000Z");
      const deleted = await stack.request("DELETE", `/api/v1/cache/keys?pattern=${encodeURIComponent(`secapi:scan:${id}`)}`, admin.api_key);
      const deletedAt = performance.now();
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual({ deleted_keys: 1 });
      await secondApiShows("2001-01-01T00:00:00.000Z", deletedAt);

      await changeBehindTheCache("2002-01-01T00:00:00.000Z");
      const cli = JSON.parse(await stack.cli("cache", "delete", "--pattern", "secapi:scan:*", "--json")) as { deleted_keys: number };
      const cliDoneAt = performance.now();
      expect(cli.deleted_keys).toBeGreaterThanOrEqual(1);
      await secondApiShows("2002-01-01T00:00:00.000Z", cliDoneAt);
    } finally {
      await db.end();
    }
  });

  it("admits exactly the free tier's 20 requests a minute from 200 concurrent clients spread over both APIs", async () => {
    const user = await newUser("free");
    const statuses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        stack.request("GET", "/api/v1/scans", user.api_key, undefined, i % 2 ? secondApiUrl : stack.apiUrl).then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(20);
    expect(statuses.filter((s) => s === 429)).toHaveLength(180);
  });

  it("answers a repeated submission from the result the cache-worker warmed: 200, cached, HIT", async () => {
    const user = await newUser();
    const content = `AWS_ACCESS_KEY_ID=${planted}\n`;
    await completedScan(user.api_key, content);
    // Until the cache-worker has warmed it, a submission would read the stored result from Postgres (a MISS).
    await waitFor(() => cachedResultKey(`secapi:result:secrets:${user.id}:*`), { what: "the cache-worker to warm the result" });
    const again = await waitFor(async () => {
      const response = await stack.request(
        "POST",
        "/api/v1/scans",
        user.api_key,
        { type: "secrets", input: { files: [{ path: ".env", content }] } },
        secondApiUrl,
      );
      // A 200 read from Postgres (a cache write that missed its deadline on a loaded machine) is asked again.
      return response.status === 200 && response.headers.get("x-cache-status") === "HIT" ? response : undefined;
    });
    expect(again.headers.get("x-cache-status")).toBe("HIT");
    expect(again.body).toMatchObject({ cached: true, status: "completed" });
    expect(again.body.result.findings.map((f: { rule_id: string }) => f.rule_id)).toEqual(["aws-access-key-id"]);
  });

  it("exports every documented metric with its labels across the three services, valid for promtool", async () => {
    const scrapes = await Promise.all(
      [`${stack.apiUrl}/metrics`, `http://127.0.0.1:${scanWorkerPort}/metrics`, `http://127.0.0.1:${cacheWorkerPort}/metrics`].map(
        async (url) => {
          const response = await fetch(url);
          expect(response.status, url).toBe(200);
          return response.text();
        },
      ),
    );
    const families = scrapes.flatMap((text) => parsePrometheusTextFormat(text));
    // The parser keeps no labels for histograms; read label names off the exposition lines themselves.
    const labelSets = (name: string) =>
      scrapes.flatMap((text) =>
        [...text.matchAll(new RegExp(`^${name}(?:_bucket|_sum|_count)?\\{([^}]*)\\}`, "gm"))].map((m) =>
          [...(m[1] ?? "").matchAll(/(\w+)="/g)]
            .map((l) => l[1] ?? "")
            .filter((l) => l !== "service" && l !== "le")
            .sort(),
        ),
      );
    const expected: Record<string, string[]> = {
      secapi_scan_requests_total: ["scan_type", "status", "tier"],
      secapi_scan_duration_seconds: ["scan_type"],
      secapi_cache_hits_total: ["key_type"],
      secapi_cache_misses_total: ["key_type"],
      secapi_cache_errors_total: ["operation"],
      secapi_cache_operation_duration_seconds: ["operation"],
      secapi_rate_limit_exceeded_total: ["tier", "endpoint"],
      secapi_http_request_duration_seconds: ["method", "route", "status_code"],
      secapi_queue_jobs: ["queue", "state"],
      secapi_events_processed_total: ["type", "outcome"],
      secapi_cache_invalidations_total: ["reason"],
    };
    for (const [name, labels] of Object.entries(expected)) {
      expect(
        families.some((f) => f.name === name),
        name,
      ).toBe(true);
      for (const own of labelSets(name)) expect(own, name).toEqual([...labels].sort());
    }
    const series = (name: string) => families.filter((f) => f.name === name).flatMap((f) => f.metrics);
    // After a scan, a cache hit and a 429, each of those shows up with values.
    expect(labelSets("secapi_scan_duration_seconds").length).toBeGreaterThan(0);
    expect(scrapes[1]).toMatch(/secapi_scan_duration_seconds_count\{[^}]*scan_type="secrets"/);
    expect(series("secapi_cache_hits_total").length).toBeGreaterThan(0);
    expect(
      series("secapi_rate_limit_exceeded_total").some((s) => s.labels?.tier === "free" && s.labels?.endpoint === "/api/v1/scans"),
    ).toBe(true);
    expect(series("secapi_events_processed_total").some((s) => s.labels?.type === "scan.completed" && s.labels?.outcome === "ok")).toBe(
      true,
    );
    expect(scrapes[0]).toMatch(/secapi_http_request_duration_seconds_count\{[^}]*route="\/api\/v1\/scans\/:id"/);
    expect(series("process_cpu_seconds_total").length).toBeGreaterThan(0);
    // The cache-worker reports every queue it consumes, its two schedulers' included.
    for (const queue of ["events", "result-reruns", "cache-warm", "advisory-sync"])
      expect(scrapes[2], queue).toMatch(new RegExp(`^secapi_queue_jobs\\{[^}]*queue="${queue}"`, "m"));

    // promtool's lint: prom-client's own nodejs_active_* gauges carry a `_total` suffix; nothing else may complain.
    let lint = "";
    try {
      execFileSync("promtool", ["check", "metrics"], { input: scrapes[0], encoding: "utf8" });
    } catch (error) {
      lint = String((error as { stdout?: string }).stdout ?? "") + String((error as { stderr?: string }).stderr ?? "");
    }
    const problems = lint.split("\n").filter((line) => line.trim() && !/^nodejs_active_(handles|requests|resources)_total /.test(line));
    expect(problems).toEqual([]);
  });

  it("logs no API key and no planted secret, in any service", async () => {
    // Logs are buffered: stop the services so that every line is written.
    for (const app of stack.processes) await app.stop("SIGTERM");
    const logs = stack.logs();
    expect(logs.length).toBeGreaterThan(1000);
    expect(logs).not.toContain(planted);
    for (const key of apiKeys) expect(logs).not.toContain(key);
  });
});
