import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { TestRedisServer, deleteKeysMatching, freePort } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";
import { type Measurement, summarise } from "./harness.js";
import { benchLogPath } from "./log-dir.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const QUEUE_REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** How long the cache Redis blocks each time: the issue's slow Redis blocked for 2 s at a time. */
const SLEEP_S = Number(process.env.BENCH_CACHE_SLEEP_SECONDS ?? 2);
/** Seconds of each phase; the phases alternate (healthy, sleeping, sleeping, healthy, …) so drift falls on both. */
const PHASE_S = Number(process.env.BENCH_SLEEPING_CACHE_SECONDS ?? 6);
const ROUNDS = 2;
const READERS = 20;
const START_TIMEOUT_MS = 60_000;

/** Starts an app from its build (its log is `sleeping-<name>.log` in the run's log directory); resolves once `url` answers 200. */
function start(name: string, env: Record<string, string>, url: string): Promise<ChildProcess> {
  const log = openSync(benchLogPath(`sleeping-${name}.log`), "w");
  const child = spawn(process.execPath, [`${ROOT}apps/${name}/dist/main.js`], {
    env: { ...process.env, ...env },
    stdio: ["ignore", log, log],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start`));
    }, START_TIMEOUT_MS);
    const poll = async () => {
      if ((await fetch(url).catch(() => undefined))?.ok) {
        clearTimeout(timer);
        return resolve(child);
      }
      setTimeout(poll, 100);
    };
    void poll();
  });
}

interface Timed {
  ms: number;
  status: number;
  cacheStatus: string | null;
}

async function timed(url: string, headers: Record<string, string> = {}): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  return { ms: performance.now() - started, status: response.status, cacheStatus: response.headers.get("x-cache-status") };
}

/** One phase: READERS cache-hit readers, one `/ready` and one `/health` prober, all looping for PHASE_S. */
async function phase(api: string, scanId: string, headers: Record<string, string>): Promise<Record<"get" | "ready" | "health", Timed[]>> {
  const until = performance.now() + PHASE_S * 1000;
  const loop = async (url: string, into: Timed[], withHeaders = headers) => {
    while (performance.now() < until) into.push(await timed(url, withHeaders));
  };
  const get: Timed[] = [];
  const ready: Timed[] = [];
  const health: Timed[] = [];
  await Promise.all([
    ...Array.from({ length: READERS }, () => loop(`${api}/api/v1/scans/${scanId}`, get)),
    loop(`${api}/ready`, ready, {}),
    loop(`${api}/health`, health, {}),
  ]);
  return { get, ready, health };
}

/** Blocks the cache Redis for SLEEP_S at a time, back to back, until stopped: Redis answers only in the gaps. */
function sleepLoop(url: string): { stop: () => Promise<number> } {
  const sleeper = new Redis(url, { maxRetriesPerRequest: 0 });
  let running = true;
  let sleeps = 0;
  const done = (async () => {
    while (running) {
      await sleeper.call("DEBUG", "SLEEP", String(SLEEP_S));
      sleeps++;
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      sleeper.disconnect();
      return sleeps;
    },
  };
}

const fmt = (n: number, digits = 1) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
const statusCounts = (list: Timed[], of: (t: Timed) => string | number | null) =>
  Object.entries(
    list.reduce<Record<string, number>>((counts, t) => {
      const key = String(of(t));
      counts[key] = (counts[key] ?? 0) + 1;
      return counts;
    }, {}),
  )
    .map(([key, n]) => `${key} ${n}`)
    .join(", ");

/**
 * Issue "Survive faults": a cache Redis that blocks for seconds at a time (`DEBUG SLEEP` back to back, a private
 * redis-server) while 20 readers ask for a cache-hit scan and `/ready` and `/health` are probed, against the same
 * load with that Redis awake, measured in alternating phases in this run. The API runs with the production cache
 * timeout (50 ms) unless BENCH_CACHE_REDIS_TIMEOUT_MS says otherwise. Reported as ratios: sleeping over healthy.
 */
export default async function sleepingCacheRedisBench(): Promise<void> {
  const dbName = `secapi_bench_${randomBytes(4).toString("hex")}`;
  const prefix = `bench${randomBytes(3).toString("hex")}`;
  const cacheServer = await TestRedisServer.start(["--enable-debug-command", "yes"]);
  const [apiPort, workerPort] = [String(await freePort()), String(await freePort())];
  const env = {
    DATABASE_URL: ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`),
    REDIS_URL: `${QUEUE_REDIS}/0`,
    REDIS_CACHE_URL: cacheServer.url(0),
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
    ADVISORY_SYNC_INTERVAL: "0",
    ...(process.env.BENCH_CACHE_REDIS_TIMEOUT_MS && { CACHE_REDIS_TIMEOUT_MS: process.env.BENCH_CACHE_REDIS_TIMEOUT_MS }),
    TIER_LIMITS: JSON.stringify({
      business: { requests_per_minute: 100_000_000, scans_per_hour: 100_000_000, scans_per_month: 1_000_000_000 },
    }),
  };
  const children: ChildProcess[] = [];
  /** The user's and the scan's ids: the limiter's and the hot-key counters' keys on the queue Redis carry them. */
  const ids: string[] = [];
  try {
    const cli = (...args: string[]) =>
      execFileSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, ...args], { env: { ...process.env, ...env }, encoding: "utf8" });
    cli("migrate");
    const user = JSON.parse(cli("users", "create", "--email", "bench-sleeping@example.com", "--tier", "business", "--json")) as {
      id: string;
      api_key: string;
    };
    ids.push(user.id);
    const api = `http://127.0.0.1:${apiPort}`;
    children.push(await start("api", { ...env, PORT: apiPort }, `${api}/health`));
    children.push(await start("scan-worker", { ...env, SCAN_WORKER_PORT: workerPort }, `http://127.0.0.1:${workerPort}/health`));
    const headers = { Authorization: `Bearer ${user.api_key}` };
    const body = JSON.stringify({ type: "secrets", input: { files: [{ path: ".env", content: "API_URL=https://example.com\n" }] } });
    const submitted = (await (
      await fetch(`${api}/api/v1/scans`, { method: "POST", headers: { ...headers, "Content-Type": "application/json" }, body })
    ).json()) as { id: string };
    ids.push(submitted.id);
    let status = "queued";
    for (let i = 0; i < 100 && status !== "completed"; i++)
      status = ((await (await fetch(`${api}/api/v1/scans/${submitted.id}?wait=1`, { headers })).json()) as { status: string }).status;
    for (let i = 0; i < 50 && (await timed(`${api}/api/v1/scans/${submitted.id}`, headers)).cacheStatus !== "HIT"; i++)
      await new Promise((r) => setTimeout(r, 200));

    const healthy: Record<string, Timed[]> = { get: [], ready: [], health: [] };
    const sleeping: Record<string, Timed[]> = { get: [], ready: [], health: [] };
    let sleeps = 0;
    for (let r = 0; r < ROUNDS; r++) {
      for (const asleep of r % 2 === 0 ? [false, true] : [true, false]) {
        const sleeper = asleep ? sleepLoop(cacheServer.url(0)) : undefined;
        const measured = await phase(api, submitted.id, headers);
        if (sleeper) sleeps += await sleeper.stop();
        for (const [route, list] of Object.entries(measured)) (asleep ? sleeping : healthy)[route]!.push(...list);
      }
    }

    const rows: [string, string][] = [
      ["get", `cache-hit GET /api/v1/scans/:id (${READERS} readers)`],
      ["ready", "GET /ready (one prober)"],
      ["health", "GET /health (one prober)"],
    ];
    console.log(
      `\n## A cache Redis that sleeps ${SLEEP_S} s at a time (DEBUG SLEEP back to back, ${sleeps} sleeps), against the same Redis awake: ${ROUNDS * PHASE_S} s of each, in alternating phases\n`,
    );
    console.log(
      "| route | healthy p50 / p95 / p99 ms | sleeping p50 / p95 / p99 ms | p50 ratio | p95 ratio | p99 ratio | throughput ratio |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---:|");
    const elapsed = ROUNDS * PHASE_S * 1000;
    for (const [route, name] of rows) {
      const h: Measurement = summarise(
        name,
        healthy[route]!.map((t) => t.ms),
        elapsed,
      );
      const s: Measurement = summarise(
        name,
        sleeping[route]!.map((t) => t.ms),
        elapsed,
      );
      console.log(
        `| ${name} | ${fmt(h.p50Ms)} / ${fmt(h.p95Ms)} / ${fmt(h.p99Ms)} | ${fmt(s.p50Ms)} / ${fmt(s.p95Ms)} / ${fmt(s.p99Ms)} | ${fmt(s.p50Ms / h.p50Ms, 2)}× | ${fmt(s.p95Ms / h.p95Ms, 2)}× | ${fmt(s.p99Ms / h.p99Ms, 2)}× | ${fmt(s.opsPerSecond / h.opsPerSecond, 2)}× |`,
      );
    }
    console.log(
      `\nSleeping p99 over the sleep: ${rows
        .map(
          ([route, name]) =>
            `${name} ${fmt(
              summarise(
                name,
                sleeping[route]!.map((t) => t.ms),
                elapsed,
              ).p99Ms /
                (SLEEP_S * 1000),
              2,
            )}×`,
        )
        .join("; ")} (a request that waited for Redis to wake takes up to 1× the sleep).`,
    );
    console.log(
      `Answers: healthy GET ${statusCounts(healthy.get!, (t) => t.cacheStatus)}; sleeping GET ${statusCounts(sleeping.get!, (t) => t.cacheStatus)}; sleeping /ready ${statusCounts(sleeping.ready!, (t) => t.status)}; sleeping /health ${statusCounts(sleeping.health!, (t) => t.status)}.`,
    );
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.once("exit", resolve);
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 12_000).unref();
          }),
      ),
    );
    await cacheServer.stop();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    const redis = new Redis(`${QUEUE_REDIS}/0`);
    for (const pattern of [`${prefix}:*`, ...ids.map((id) => `*${id}*`)]) await deleteKeysMatching(redis, pattern);
    redis.disconnect();
  }
}
