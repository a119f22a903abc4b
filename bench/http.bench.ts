import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { openSync, readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { deleteKeysMatching } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";
import { groupTable, profileOf, selfTimeByGroup } from "./cpu-profile-groups.js";
import { type Measurement, report } from "./harness.js";
import { benchLogPath } from "./log-dir.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
const DURATION_S = Number(process.env.BENCH_HTTP_SECONDS ?? 8);
/** Long enough for V8 to have optimized the whole request path of each server before it is measured. */
const WARMUP_S = Number(process.env.BENCH_HTTP_WARMUP_SECONDS ?? 3);
/** Each row's seconds are split into this many rounds, interleaved with the other rows'. */
const ROUNDS = Number(process.env.BENCH_HTTP_ROUNDS ?? 4);
const CONNECTIONS = 32;
const START_TIMEOUT_MS = 60_000;
/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;

/** Starts a process (its log is `<name>.log` in the run's log directory) and waits until `READY_PATH` answers. */
function start(
  script: string,
  env: Record<string, string>,
  logName = `${basename(dirname(dirname(script)))}-${basename(script, ".mjs")}`,
): Promise<ChildProcess> {
  const log = openSync(benchLogPath(`${logName}.log`), "w");
  // BENCH_CPU_PROF_DIR: each process writes a V8 CPU profile there when it exits (open in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, script], { env: { ...process.env, ...env }, stdio: ["ignore", log, log] });
  return new Promise((resolve, reject) => {
    // Generous: at load 40+ on 2 cores, an API process has taken over 20 s to start. One that never answers is
    // stopped here, as the caller never learns of it to stop it.
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not start`));
    }, START_TIMEOUT_MS);
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
    ...(cpuBefore !== undefined &&
      cpuAfter !== undefined &&
      result.requests.total > 0 && { cpuPerRequestUs: (cpuAfter - cpuBefore) / result.requests.total }),
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
async function measureInterleaved(contenders: Contender[]): Promise<{ merged: LoadMeasurement[]; rounds: LoadMeasurement[][] }> {
  for (const { options } of contenders) await autocannon({ ...options, duration: WARMUP_S, connections: CONNECTIONS });
  const rounds = contenders.map((): LoadMeasurement[] => []);
  for (let r = 0; r < ROUNDS; r++) {
    const order = contenders.map((_, i) => i);
    if (r % 2 === 1) order.reverse();
    for (const i of order) rounds[i]?.push(await round(contenders[i] as Contender, DURATION_S / ROUNDS));
  }
  const merged = rounds.map((measured, i) => {
    const ops = measured.reduce((sum, m) => sum + m.ops, 0);
    // A round that served nothing (the machine stalled) adds no CPU figure, and no requests.
    const counted = measured.filter((m) => m.cpuPerRequestUs !== undefined);
    const countedOps = counted.reduce((sum, m) => sum + m.ops, 0);
    const cpu = countedOps > 0 ? counted.reduce((sum, m) => sum + (m.cpuPerRequestUs ?? 0) * m.ops, 0) / countedOps : undefined;
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
  return { merged, rounds };
}

/** The lowest and highest of a row's per-round throughput ratios against the reference's round beside it. */
function roundRatioRange(row: LoadMeasurement[], reference: LoadMeasurement[]): string {
  const ratios = row.map((m, r) => m.opsPerSecond / (reference[r]?.opsPerSecond ?? Number.NaN));
  return `${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`;
}

/** A process whose CPU profile is summarised, and the span of the bench's load on it (Date.now() ms). */
interface Profiled {
  name: string;
  pid?: number;
  measuredFrom?: number;
  exitedAt?: number;
  /** Its CPU per request, when it served one row only. */
  cpuPerRequestUs?: number;
}

/**
 * Self time by group in the profiles the processes wrote on exit. The API's covers everything it served in the
 * run (seeding, warm-up, every selected row): measure one row (BENCH_HTTP_ROWS) for one route's breakdown, whose
 * µs per request are its shares of the CPU per request measured.
 */
function printProfiles(dir: string, processes: Profiled[]): void {
  for (const { name, pid, measuredFrom, exitedAt, cpuPerRequestUs } of processes) {
    const profile = pid === undefined ? undefined : profileOf(dir, pid);
    if (!profile || measuredFrom === undefined || exitedAt === undefined) {
      console.log(`\n(no CPU profile of the ${name} process in ${dir})`);
      continue;
    }
    console.log(`\nCPU profile of the ${name} process (${dir}), self time by group from the warm-up on:\n`);
    const totals = selfTimeByGroup(profile, (exitedAt - measuredFrom) * 1000);
    console.log(groupTable(totals, cpuPerRequestUs));
  }
}

/**
 * SecAPI's own per-request cost (issue 19): a cache-hit `GET /api/v1/scans/:id`, a cached `POST /api/v1/scans`, the
 * scan list and `/usage` through the whole API process (auth, rate limit, cache, metrics, logs), against a bare
 * express 5 handler doing one ioredis GET hosted the same way, all measured with autocannon in this run.
 * (p95 column: autocannon's p97.5.)
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
    // The rows measure cache hits. At the default 50 ms, a shared host at load 30+ makes the cache Redis's
    // replies late enough that reads are bypassed and reloaded from Postgres, and a row measures that instead.
    CACHE_REDIS_TIMEOUT_MS: process.env.BENCH_CACHE_REDIS_TIMEOUT_MS ?? "250",
    // The bench database starts empty, which makes a cache-worker sync the whole advisory feed from the internet
    // on start: CPU and network that the rows would measure, and a bench that depends on being online.
    ADVISORY_SYNC_INTERVAL: "0",
    TIER_LIMITS: JSON.stringify({
      business: { requests_per_minute: 100_000_000, scans_per_hour: 100_000_000, scans_per_month: 1_000_000_000 },
    }),
  };
  const children: ChildProcess[] = [];
  /** The processes whose CPU profiles are summarised (with BENCH_CPU_PROF_DIR): the API and the hosted baseline. */
  const profiled = new Map<ChildProcess, Profiled>();
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
    profiled.set(apiProcess, { name: "api", pid: apiProcess.pid });
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
    profiled.set(hostedProcess, { name: "hosted baseline", pid: hostedProcess.pid });

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
    // The routes of an API process at `base`; `label` tells a compared build's rows apart.
    const routeRows = (base: string, server: ChildProcess, label = "whole stack"): Record<string, Contender> => ({
      get: {
        name: `cache-hit GET /api/v1/scans/:id (${label})`,
        options: { url: `${base}/api/v1/scans/${submitted.id}`, headers },
        server,
      },
      post: {
        name: `cached POST /api/v1/scans (${label})`,
        options: { url: `${base}/api/v1/scans`, method: "POST", headers, body },
        server,
      },
      list: { name: `GET /api/v1/scans, the scan list (${label})`, options: { url: `${base}/api/v1/scans`, headers }, server },
      usage: { name: `GET /api/v1/usage (${label})`, options: { url: `${base}/api/v1/usage`, headers }, server },
    });
    const rows = routeRows(api, apiProcess);
    // BENCH_HTTP_ROWS=get (or post, list, usage): only those rows against the baselines, e.g. for a CPU profile of one route.
    const names = (process.env.BENCH_HTTP_ROWS ?? Object.keys(rows).join(",")).split(",").map((name) => name.trim());
    for (const name of names) if (!rows[name]) throw new Error(`BENCH_HTTP_ROWS: unknown row "${name}" (${Object.keys(rows).join(", ")})`);
    const selected = names.map((name) => rows[name] as Contender);
    // BENCH_HTTP_COMPARE_API=<another build's apps/api/dist/main.js>: the same rows through that build too, in
    // the same run (before and after a change), sharing the workers, the user, the scan and the cache.
    const compareScript = process.env.BENCH_HTTP_COMPARE_API;
    if (compareScript) {
      const comparePort = String(Number(apiPort) + 5);
      const compared = await start(compareScript, { ...env, PORT: comparePort }, "api-compared");
      children.push(compared);
      const comparedRows = routeRows(`http://127.0.0.1:${comparePort}`, compared, "compared build");
      selected.push(...names.map((name) => comparedRows[name] as Contender));
    }
    // The same bare handler served as the API serves its app (express-host.ts) is the baseline that counts: the
    // like-for-like reference for what SecAPI's own work costs on top of express. Issue 4's baseline, the same
    // handler served by `app.listen`, pays express's per-request prototype swap and is kept as a row.
    for (const entry of profiled.values()) entry.measuredFrom = Date.now();
    const { merged, rounds } = await measureInterleaved([
      {
        name: "bare express 5 + one ioredis GET, hosted like the API (express-host.ts)",
        options: { url: `http://127.0.0.1:${hostedPort}/value` },
        server: hostedProcess,
      },
      {
        name: "the same, served by app.listen (issue 4's baseline)",
        options: { url: `http://127.0.0.1:${barePort}/value` },
        server: bareProcess,
      },
      ...selected,
    ]);
    const [hosted, bare, ...routes] = merged as [LoadMeasurement, LoadMeasurement, ...LoadMeasurement[]];
    const [hostedRounds, bareRounds, ...routeRounds] = rounds as [LoadMeasurement[], LoadMeasurement[], ...LoadMeasurement[][]];
    Object.assign(profiled.get(hostedProcess) ?? {}, { cpuPerRequestUs: hosted.cpuPerRequestUs });
    if (names.length === 1) Object.assign(profiled.get(apiProcess) ?? {}, { cpuPerRequestUs: routes[0]?.cpuPerRequestUs });
    const cpu = merged.map((m) =>
      m.cpuPerRequestUs === undefined || hosted.cpuPerRequestUs === undefined
        ? `${m.name}: (no /proc)`
        : `${m.name}: ${m.cpuPerRequestUs.toFixed(0)} µs (${(hosted.cpuPerRequestUs / m.cpuPerRequestUs).toFixed(2)}×)`,
    );
    const title = `HTTP through the whole API, ${CONNECTIONS} connections, ${DURATION_S} s each in ${ROUNDS} interleaved rounds, LOG_LEVEL=${env.LOG_LEVEL}`;
    report(
      title,
      hosted,
      [bare, ...routes],
      [
        "Targets (issue 19, against the hosted baseline): cache-hit GET ≥ 0.6×, cached POST ≥ 0.5×, list ≥ 0.7×, usage ≥ 0.6×.",
        `Per-round ratios against the hosted baseline's round beside it: ${routes
          .map((m, i) => `${m.name}: ${roundRatioRange(routeRounds[i] ?? [], hostedRounds)}`)
          .join("; ")}.`,
        `Server CPU per request, and the hosted baseline's over it: ${cpu.join("; ")}.`,
        `Against issue 4's baseline (app.listen; targets GET ≥ 0.9×, POST ≥ 0.8×): ${routes
          .map(
            (m, i) =>
              `${m.name}: ${(m.opsPerSecond / bare.opsPerSecond).toFixed(2)}× (rounds ${roundRatioRange(routeRounds[i] ?? [], bareRounds)})`,
          )
          .join("; ")}.`,
        "The cached POST is the same user's repeat: it gets that user's cached scan back and writes nothing; neither it nor the cache-hit GET touches Postgres.",
      ],
    );
  } finally {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            child.once("exit", (code) => {
              const entry = profiled.get(child);
              if (entry) entry.exitedAt = Date.now();
              resolve(code);
            });
            child.kill("SIGTERM");
            setTimeout(() => child.kill("SIGKILL"), 12_000).unref();
          }),
      ),
    );
    if (process.env.BENCH_CPU_PROF_DIR) printProfiles(process.env.BENCH_CPU_PROF_DIR, [...profiled.values()]);
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
