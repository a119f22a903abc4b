import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { deleteKeysMatching } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";
import { type Measurement, report } from "./harness.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const DURATION_S = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
/** Long enough for V8 to have optimized the whole request path of each server before it is measured. */
const WARMUP_S = Number(process.env.BENCH_HTTP_WARMUP_SECONDS ?? 3);
/** Each row's seconds are split into this many rounds, interleaved with the other rows'. */
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 4);
const CONNECTIONS = 32;
/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;

/** Starts a process (its logs go to `<tmp>/secapi-bench-<name>.log`) and waits until `READY_PATH` answers. */
function start(
  script: string,
  env: Record<string, string>,
  logName = `${basename(dirname(dirname(script)))}-${basename(script, ".mjs")}`,
): Promise<ChildProcess> {
  const log = openSync(`${tmpdir()}/secapi-bench-${logName}.log`, "w");
  // BENCH_CPU_PROF_DIR: each process writes a V8 CPU profile there when it exits (open in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, script], { env: { ...process.env, ...env }, stdio: ["ignore", log, log] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 20_000);
    const poll = async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${env.PORT}${env.READY_PATH ?? "/health"}`);
        if (response.ok) {
          clearTimeout(timer);
          return resolve(child);
        }
      } catch {
        // not listening yet
      }
      setTimeout(poll, 100);
    };
    void poll();
  });
}

/** CPU time (user + system) a process has used so far, in µs; undefined where there is no /proc. */
function cpuMicros(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

type LoadMeasurement = Measurement & { cpuPerRequestUs?: number };

interface Contender {
  name: string;
  options: autocannon.Options;
  /** The process serving it, whose CPU time is read around each round. */
  server: ChildProcess;
}

/**
 * One measured round of `seconds` against a contender, and how much CPU its server spent per request
 * meanwhile: on a shared machine that figure moves much less from run to run than throughput does.
 */
async function round({ name, options, server }: Contender, seconds: number): Promise<LoadMeasurement> {
  const cpuBefore = cpuMicros(server.pid);
  const result = await autocannon({ ...options, duration: seconds, connections: CONNECTIONS });
  const cpuAfter = cpuMicros(server.pid);
  const non2xx = result.non2xx;
  if (non2xx > 0 || result.errors > 0) console.log(`  (${name}: ${non2xx} non-2xx, ${result.errors} errors)`);
  return {
    ...(cpuBefore !== undefined && cpuAfter !== undefined && { cpuPerRequestUs: (cpuAfter - cpuBefore) / result.requests.total }),
    name,
    ops: result.requests.total,
    opsPerSecond: result.requests.total / seconds,
    p50Ms: result.latency.p50,
    p95Ms: result.latency.p97_5,
    p99Ms: result.latency.p99,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/**
 * Warms every contender up, then measures them in interleaved rounds (the order alternating), so that load
 * from elsewhere on the machine falls on all of them alike. A contender's rounds are merged: throughput
 * and CPU per request over all of them, latency percentiles as the median of the rounds'.
 */
async function measureInterleaved(contenders: Contender[]): Promise<LoadMeasurement[]> {
  for (const { options } of contenders) await autocannon({ ...options, duration: WARMUP_S, connections: CONNECTIONS });
  const rounds = contenders.map((): LoadMeasurement[] => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = contenders.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) rounds[i]?.push(await round(contenders[i] as Contender, DURATION_S / ROUNDS));
  }
  return rounds.map((measured, i) => {
    const ops = measured.reduce((sum, m) => sum + m.ops, 0);
    const cpu = measured.every((m) => m.cpuPerRequestUs !== undefined)
      ? measured.reduce((sum, m) => sum + (m.cpuPerRequestUs ?? 0) * m.ops, 0) / ops
      : undefined;
    return {
      ...(cpu !== undefined && { cpuPerRequestUs: cpu }),
      name: contenders[i]?.name ?? "",
      ops,
      opsPerSecond: ops / DURATION_S,
      p50Ms: median(measured.map((m) => m.p50Ms)),
      p95Ms: median(measured.map((m) => m.p95Ms)),
      p99Ms: median(measured.map((m) => m.p99Ms)),
    };
  });
}

/**
 * Issue 4's figure: a cache-hit `GET /api/v1/scans/:id` and a cached `POST /api/v1/scans` through the whole
 * API process (auth, rate limit, cache, metrics, logs), against a bare express 5 handler doing one ioredis
 * GET, all measured with autocannon in this run. (p95 column: autocannon's p97.5.)
 */
export default async function httpBench(): Promise<void> {
  const dbName = `secapi_bench_${randomBytes(4).toString("hex")}`;
  const databaseUrl = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  const prefix = `bench${randomBytes(3).toString("hex")}`;
  const env = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: `${REDIS}/0`,
    REDIS_CACHE_URL: `${REDIS}/1`,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    TIER_LIMITS: JSON.stringify({
      business: { requests_per_minute: 100_000_000, scans_per_hour: 100_000_000, scans_per_month: 1_000_000_000 },
    }),
  };
  const children: ChildProcess[] = [];
  /** Ids that every key the bench leaves in Redis outside its prefix carries: the user's and the scan's. */
  const ids: string[] = [];
  try {
    execFileSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], { env: { ...process.env, ...env }, stdio: "ignore" });
    const user = JSON.parse(
      execFileSync(
        process.execPath,
        [`${ROOT}apps/cli/dist/main.js`, "users", "create", "--email", "bench@example.com", "--tier", "business", "--json"],
        {
          env: { ...process.env, ...env },
          encoding: "utf8",
        },
      ),
    ) as { id: string; api_key: string };
    ids.push(user.id);

    const apiPort = String(20000 + Math.floor(Math.random() * 20000));
    const barePort = String(Number(apiPort) + 1);
    const workerPort = String(Number(apiPort) + 2);
    const cacheWorkerPort = String(Number(apiPort) + 3);
    console.log("  starting api, scan-worker, cache-worker and the baseline server...");
    const apiProcess = await start(`${ROOT}apps/api/dist/main.js`, { ...env, PORT: apiPort });
    children.push(apiProcess);
    children.push(await start(`${ROOT}apps/scan-worker/dist/main.js`, { ...env, PORT: workerPort, SCAN_WORKER_PORT: workerPort }));
    children.push(
      await start(`${ROOT}apps/cache-worker/dist/main.js`, { ...env, PORT: cacheWorkerPort, CACHE_WORKER_PORT: cacheWorkerPort }),
    );
    const bareEnv = (port: string) => ({ ...env, REDIS_URL: `${REDIS}/1`, PORT: port, KEY_PREFIX: prefix, READY_PATH: "/value" });
    const bareProcess = await start(`${ROOT}bench/fixtures/bare-server.mjs`, bareEnv(barePort));
    children.push(bareProcess);
    const hostedPort = String(Number(apiPort) + 4);
    const hostedProcess = await start(
      `${ROOT}bench/fixtures/bare-server.mjs`,
      { ...bareEnv(hostedPort), HOSTED_LIKE_API: "1" },
      "bare-server-hosted",
    );
    children.push(hostedProcess);

    const api = `http://127.0.0.1:${apiPort}`;
    const headers = { Authorization: `Bearer ${user.api_key}`, "Content-Type": "application/json" };
    const body = JSON.stringify({ type: "secrets", input: { files: [{ path: ".env", content: "API_URL=https://example.com\n" }] } });
    const submitted = (await (await fetch(`${api}/api/v1/scans`, { method: "POST", headers, body })).json()) as { id: string };
    ids.push(submitted.id);
    // Completed by the scan-worker; then read twice so that the view is cached, and the result warmed.
    let status = "queued";
    for (let i = 0; i < 100 && status !== "completed"; i++) {
      status = ((await (await fetch(`${api}/api/v1/scans/${submitted.id}?wait=1`, { headers })).json()) as { status: string }).status;
    }
    console.log(`  scan ${submitted.id}: ${status}`);
    const resultSeeded = async () => (await fetch(`${api}/api/v1/scans`, { method: "POST", headers, body })).status === 200;
    for (let i = 0; i < 50 && !(await resultSeeded()); i++) await new Promise((r) => setTimeout(r, 200));

    console.log(`  seeded (result cached: ${await resultSeeded()}); measuring...`);
    const rows: Record<string, Contender> = {
      get: {
        name: "cache-hit GET /api/v1/scans/:id (whole stack)",
        options: { url: `${api}/api/v1/scans/${submitted.id}`, headers },
        server: apiProcess,
      },
      post: {
        name: "cached POST /api/v1/scans (whole stack)",
        options: { url: `${api}/api/v1/scans`, method: "POST", headers, body },
        server: apiProcess,
      },
    };
    // BENCH_HTTP_ROWS=get (or post): only that row against the baseline, e.g. for a CPU profile of one route.
    const selected = (process.env.BENCH_HTTP_ROWS ?? "get,post").split(",").map((name) => {
      const row = rows[name.trim()];
      if (!row) throw new Error(`BENCH_HTTP_ROWS: unknown row "${name}" (get, post)`);
      return row;
    });
    // The issue's baseline, then the same handler served as the API serves its app (express-host.ts): the
    // like-for-like reference for what SecAPI's own work costs on top of express.
    const [baseline, ...measured] = (await measureInterleaved([
      { name: "bare express 5 + one ioredis GET", options: { url: `http://127.0.0.1:${barePort}/value` }, server: bareProcess },
      {
        name: "the same, hosted like the API (express-host.ts)",
        options: { url: `http://127.0.0.1:${hostedPort}/value` },
        server: hostedProcess,
      },
      ...selected,
    ])) as [LoadMeasurement, LoadMeasurement, ...LoadMeasurement[]];
    const hosted = measured[0] as LoadMeasurement;
    const cpu = [baseline, ...measured].map((m) =>
      m.cpuPerRequestUs === undefined || baseline.cpuPerRequestUs === undefined
        ? `${m.name}: (no /proc)`
        : `${m.name}: ${m.cpuPerRequestUs.toFixed(0)} µs (${(baseline.cpuPerRequestUs / m.cpuPerRequestUs).toFixed(2)}× the baseline's efficiency)`,
    );
    const title = `HTTP through the whole API, ${CONNECTIONS} connections, ${DURATION_S} s each in ${ROUNDS} interleaved rounds, LOG_LEVEL=${env.LOG_LEVEL}`;
    report(title, baseline, measured, [
      "Targets (issue 4): cache-hit GET ≥ 0.9×, cached POST ≥ 0.8× of the baseline's throughput.",
      `Server CPU per request (steadier than throughput on a shared machine): ${cpu.join("; ")}.`,
      `Like for like (against the hosted baseline): ${measured
        .slice(1)
        .map((m) => `${m.name}: ${(m.opsPerSecond / hosted.opsPerSecond).toFixed(2)}× throughput`)
        .join("; ")}.`,
      "The cached POST is the same user's repeat: it gets that user's cached scan back and writes nothing; neither route touches Postgres.",
    ]);
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
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    // The queues, the baseline's key, and what the API cached and counted for the bench user and scan.
    for (const db of [0, 1]) {
      const redis = new Redis(`${REDIS}/${db}`);
      for (const pattern of [`${prefix}:*`, ...ids.map((id) => `*${id}*`)]) await deleteKeysMatching(redis, pattern);
      redis.disconnect();
    }
  }
}
