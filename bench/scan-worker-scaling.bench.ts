import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import { openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { inputHash, parseAdvisories, sealInput, storeAdvisories } from "@secapi/core";
import { type Db, type InputKey, type NewScan, createDb, createPool, insertScans, putScanInput } from "@secapi/db";
import { SCAN_JOB_NAME, closeQueues, createQueues, scanRunJobId } from "@secapi/events";
import { type PackageRef, canonicalPackageSet } from "@secapi/scanners";
import { deleteKeysMatching, seededRandom } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";
import { ADVISORIES, indexByPackage, osvRecord } from "./fixtures/osv-generator.js";
import { benchLogPath } from "./log-dir.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379";
/** Scans in the measured backlog of each run, each a distinct dependency input. */
const SCANS = Number(process.env.BENCH_SCALING_SCANS ?? 400);
/** Scans drained before the measured backlog, so every process and thread has warmed up (JIT, pools). */
const WARMUP_SCANS = Number(process.env.BENCH_SCALING_WARMUP ?? 100);
const PACKAGES_PER_SCAN = 50;
/** Worker processes per run; the first is the baseline. */
const PROCESS_COUNTS = (process.env.BENCH_SCALING_PROCESSES ?? "1,2").split(",").map(Number);
/**
 * Rounds of runs, the order alternating (1, 2, then 2, 1), so that load from elsewhere on the machine falls on
 * every process count alike; each count's figures are over all its rounds.
 */
const ROUNDS = Number(process.env.BENCH_SCALING_ROUNDS ?? 2);
/** SCAN_WORKER_CONCURRENCY for the workers; unset, they use their default (docs/OPERATIONS.md "Environment"). */
const CONCURRENCY = process.env.BENCH_SCALING_CONCURRENCY;
/** USER_HZ: the unit of the CPU times in /proc/<pid>/stat (100 on Linux). */
const CLOCK_TICKS = 100;
const WORKER_APPLICATION_NAME = "secapi-scan-worker";
/** How long the workers' idle CPU (timers, lock renewal, relay polling, metrics) is measured before each run. */
const IDLE_WINDOW_MS = 3000;

interface QueuedScan {
  key: InputKey;
  jobId: string;
}

/** The same scans, queued and sealed, in every run's copy of the database. */
interface Backlog {
  warmup: QueuedScan[];
  measured: QueuedScan[];
  advisories: number;
}

interface CpuSnapshot {
  /** Per worker: process CPU seconds and scan runs finished, from its /metrics. */
  workers: { cpuSeconds: number; runs: number }[];
  /** µs of CPU per Postgres backend serving the workers. */
  backends: Map<number, number>;
  redisCpuSeconds: number;
  /** Machine-wide jiffies from /proc/stat: all, and busy (not idle or iowait). */
  machine: { total: number; busy: number } | undefined;
}

/** What one run measured (or several merged), as totals over its measured backlog. */
interface RunFigures {
  processes: number;
  scans: number;
  failed: number;
  seconds: number;
  workerCpuMs: number;
  /** Per worker process: scan runs it finished and the CPU it used meanwhile. */
  perProcess: { runs: number; cpuMs: number }[];
  postgresCpuMs: number | undefined;
  redisCpuMs: number;
  /** Machine-wide jiffies over the run: all, and busy. */
  machine: { total: number; busy: number } | undefined;
  findings: number;
  /** CPU the workers used together while idle (queue paused, nothing in flight), ms per second. */
  idleCpuMsPerSecond: number;
}

/** CPU time (user + system) a process has used so far, in µs; undefined once it is gone or without /proc. */
function cpuMicros(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function machineJiffies(): CpuSnapshot["machine"] {
  try {
    const [, ...fields] = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "").trim().split(/\s+/);
    const values = fields.map(Number);
    const total = values.reduce((sum, v) => sum + v, 0);
    return { total, busy: total - (values[3] ?? 0) - (values[4] ?? 0) };
  } catch {
    return undefined;
  }
}

/** A port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** Sums the samples of a metric family in Prometheus text: `name` and `name{...}` lines. */
function metricSum(text: string, name: string): number {
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const databaseUrl = (name: string) => ADMIN_URL.replace(/\/[^/]*$/, `/${name}`);

/**
 * The template every run is cloned from: migrated, the generated OSV database imported, a user, and the
 * warm-up and measured scans queued as the API leaves them (scan row + sealed input), without their jobs.
 */
async function prepareTemplate(name: string, scanInputKey: Buffer): Promise<Backlog> {
  execFileSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], {
    env: { ...process.env, DATABASE_URL: databaseUrl(name) },
    stdio: "ignore",
  });
  const db = createDb(createPool({ connectionString: databaseUrl(name), max: 4, statementTimeoutMs: 600_000 }));
  try {
    const { advisories } = parseAdvisories(Array.from({ length: ADVISORIES }, (_, n) => ({ source: String(n), json: osvRecord(n) })));
    await storeAdvisories(db, advisories);
    // The import's `advisories.updated` events: nothing here consumes them, and a run should relay only its own.
    await db.deleteFrom("outbox").execute();
    const userId = (
      await db
        .insertInto("users")
        .values({ email: "scaling@example.com", tier: "business", webhook_url: null })
        .returning("id")
        .executeTakeFirstOrThrow()
    ).id;

    // Half of each list has advisories (at versions across their history), half is clean.
    const random = seededRandom(0x5ca1e);
    const int = (max: number) => Math.floor(random() * max);
    const vulnerable = [...indexByPackage(advisories).keys()].filter((k) => k.startsWith("npm/")).map((k) => k.slice(4));
    const scans: QueuedScan[] = [];
    const rows: NewScan[] = [];
    for (let i = 0; i < WARMUP_SCANS + SCANS; i++) {
      const packages: PackageRef[] = Array.from({ length: PACKAGES_PER_SCAN }, (_, p) => ({
        ecosystem: "npm",
        name: p % 2 === 0 ? (vulnerable[int(vulnerable.length)] ?? "left-pad") : `clean-pkg-${int(20_000)}`,
        version: `${int(7)}.${int(20)}.${int(10)}`,
      }));
      const set = canonicalPackageSet({ packages, unchecked: [] });
      const key: InputKey = { scanType: "dependencies", ownerId: null, inputHash: inputHash(set) };
      const scanId = randomUUID();
      const jobId = scanRunJobId(key, scanId);
      await putScanInput(db, key, sealInput(scanInputKey, key, set));
      rows.push({ id: scanId, userId, key, status: "queued", jobId });
      scans.push({ key, jobId });
    }
    await insertScans(db, rows);
    return { warmup: scans.slice(0, WARMUP_SCANS), measured: scans.slice(WARMUP_SCANS), advisories: advisories.length };
  } finally {
    await db.destroy();
  }
}

/** Starts a scan-worker (its log is `scaling-<name>.log` in the run's log directory) and waits until its /health answers. */
async function startWorker(name: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const logFile = benchLogPath(`scaling-${name}.log`);
  const log = openSync(logFile, "w");
  const child = spawn(process.execPath, [`${ROOT}apps/scan-worker/dist/main.js`], {
    env: { ...process.env, ...env, SCAN_WORKER_PORT: String(port) },
    stdio: ["ignore", log, log],
  });
  const until = performance.now() + 20_000;
  while (performance.now() < until) {
    if (child.exitCode !== null) break;
    try {
      if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return { child, port };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  throw new Error(`scan-worker ${name} did not become healthy (see ${logFile})`);
}

/** SIGTERM, then waits for the exit (SIGKILL after the worker's shutdown timeout and some). */
function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => {
      console.log(`  scan-worker ${child.pid} ignored SIGTERM for 15 s; killing it`);
      child.kill("SIGKILL");
    }, 15_000);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/** Scans of the run's database that have ended, and how many of those failed. */
async function finishedScans(db: Db): Promise<{ finished: number; failed: number }> {
  const rows = await db
    .selectFrom("scans")
    .select(["status", (eb) => eb.fn.countAll<string>().as("n")])
    .where("status", "in", ["completed", "failed"])
    .groupBy("status")
    .execute();
  const of = (status: string) => Number(rows.find((r) => r.status === status)?.n ?? 0);
  return { finished: of("completed") + of("failed"), failed: of("failed") };
}

async function waitForFinished(db: Db, count: number, workers: ChildProcess[]): Promise<void> {
  const until = performance.now() + 30 * 60_000;
  while ((await finishedScans(db)).finished < count) {
    if (workers.some((w) => w.exitCode !== null)) throw new Error("a scan-worker exited during the run");
    if (performance.now() > until) throw new Error(`the backlog did not drain within 30 minutes`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function snapshot(pool: pg.Pool, dbName: string, redis: Redis, ports: number[]): Promise<CpuSnapshot> {
  const workers = await Promise.all(
    ports.map(async (port) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return { cpuSeconds: metricSum(text, "process_cpu_seconds_total"), runs: metricSum(text, "secapi_scan_duration_seconds_count") };
    }),
  );
  const { rows } = await pool.query<{ pid: number }>("SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = $2", [
    dbName,
    WORKER_APPLICATION_NAME,
  ]);
  const backends = new Map<number, number>();
  for (const { pid } of rows) {
    const micros = cpuMicros(pid);
    if (micros !== undefined) backends.set(pid, micros);
  }
  const info = await redis.info("cpu");
  const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? 0);
  return { workers, backends, redisCpuSeconds: field("used_cpu_user") + field("used_cpu_sys"), machine: machineJiffies() };
}

/**
 * One run: a fresh copy of the template, `processes` real scan-workers, the warm-up backlog drained, then
 * the measured backlog queued while the queue is paused and timed from resume until its last scan ended.
 */
async function drain(processes: number, template: string, backlog: Backlog, scanInputKey: Buffer): Promise<RunFigures> {
  const dbName = `${template}_p${processes}`;
  const prefix = `benchscale${randomBytes(3).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${dbName} TEMPLATE ${template}`);
  const pool = createPool({ connectionString: databaseUrl(dbName), max: 2 });
  const db = createDb(pool);
  const redis = new Redis(`${REDIS}/0`, { maxRetriesPerRequest: null });
  const queues = createQueues({ connection: redis, prefix });
  const workers: { child: ChildProcess; port: number }[] = [];
  const enqueue = (scans: QueuedScan[]) =>
    queues.scans.addBulk(scans.map(({ key, jobId }) => ({ name: SCAN_JOB_NAME, data: key, opts: { jobId } })));
  try {
    await queues.scans.pause();
    await enqueue(backlog.warmup);
    const env = {
      DATABASE_URL: databaseUrl(dbName),
      REDIS_URL: `${REDIS}/0`,
      REDIS_CACHE_URL: `${REDIS}/1`,
      QUEUE_PREFIX: prefix,
      SCAN_INPUT_KEY: scanInputKey.toString("base64"),
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
      ...(CONCURRENCY !== undefined && { SCAN_WORKER_CONCURRENCY: CONCURRENCY }),
    };
    for (let i = 0; i < processes; i++) workers.push(await startWorker(`${processes}p-${i}`, env));
    const children = workers.map((w) => w.child);
    await queues.scans.resume();
    await waitForFinished(db, backlog.warmup.length, children);
    await queues.scans.pause();
    await enqueue(backlog.measured);

    const ports = workers.map((w) => w.port);
    const idleFrom = await snapshot(pool, dbName, redis, ports);
    const idleStarted = performance.now();
    await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
    const before = await snapshot(pool, dbName, redis, ports);
    const idleCpuMsPerSecond =
      (before.workers.reduce((sum, w, i) => sum + w.cpuSeconds - (idleFrom.workers[i]?.cpuSeconds ?? 0), 0) * 1e6) /
      (performance.now() - idleStarted);
    const started = performance.now();
    await queues.scans.resume();
    await waitForFinished(db, backlog.warmup.length + backlog.measured.length, children);
    const seconds = (performance.now() - started) / 1000;
    const after = await snapshot(pool, dbName, redis, ports);

    const perProcess = after.workers.map((w, i) => ({
      runs: w.runs - (before.workers[i]?.runs ?? 0),
      cpuMs: (w.cpuSeconds - (before.workers[i]?.cpuSeconds ?? 0)) * 1000,
    }));
    // Backends opened during the run count from their start.
    const postgresMicros = [...after.backends].reduce((sum, [pid, micros]) => sum + micros - (before.backends.get(pid) ?? 0), 0);
    const measuredHashes = new Set(backlog.measured.map((s) => s.key.inputHash));
    const results = await db.selectFrom("scan_results").select(["input_hash", "result"]).execute();
    return {
      processes,
      scans: backlog.measured.length,
      failed: (await finishedScans(db)).failed,
      seconds,
      workerCpuMs: perProcess.reduce((sum, p) => sum + p.cpuMs, 0),
      perProcess,
      postgresCpuMs: after.backends.size > 0 ? postgresMicros / 1000 : undefined,
      redisCpuMs: (after.redisCpuSeconds - before.redisCpuSeconds) * 1000,
      machine:
        after.machine && before.machine
          ? { total: after.machine.total - before.machine.total, busy: after.machine.busy - before.machine.busy }
          : undefined,
      findings: results
        .filter((r) => measuredHashes.has(r.input_hash))
        .reduce((sum, r) => sum + ((r.result as { summary?: { total?: number } }).summary?.total ?? 0), 0),
      idleCpuMsPerSecond,
    };
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w.child)));
    await queues.scans.obliterate({ force: true }).catch(() => undefined);
    await closeQueues(queues);
    for (const n of [0, 1]) {
      const client = n === 0 ? redis : new Redis(`${REDIS}/${n}`);
      await deleteKeysMatching(client, `${prefix}:*`);
      client.disconnect();
    }
    await db.destroy();
    await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

const fmt = (n: number, digits = 2) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Several runs with the same number of processes as one: totals added, per-process figures by position. */
function merge(runs: RunFigures[]): RunFigures {
  const sum = (of: (run: RunFigures) => number | undefined) =>
    runs.some((r) => of(r) === undefined) ? undefined : runs.reduce((total, r) => total + (of(r) ?? 0), 0);
  const [first] = runs as [RunFigures];
  return {
    processes: first.processes,
    scans: sum((r) => r.scans) ?? 0,
    failed: sum((r) => r.failed) ?? 0,
    seconds: sum((r) => r.seconds) ?? 0,
    workerCpuMs: sum((r) => r.workerCpuMs) ?? 0,
    perProcess: first.perProcess.map((_, i) => ({
      runs: sum((r) => r.perProcess[i]?.runs) ?? 0,
      cpuMs: sum((r) => r.perProcess[i]?.cpuMs) ?? 0,
    })),
    postgresCpuMs: sum((r) => r.postgresCpuMs),
    redisCpuMs: sum((r) => r.redisCpuMs) ?? 0,
    machine: runs.every((r) => r.machine)
      ? { total: sum((r) => r.machine?.total) ?? 0, busy: sum((r) => r.machine?.busy) ?? 0 }
      : undefined,
    findings: sum((r) => r.findings) ?? 0,
    idleCpuMsPerSecond: (sum((r) => r.idleCpuMsPerSecond) ?? 0) / runs.length,
  };
}

const scansPerSecond = (run: RunFigures) => run.scans / run.seconds;
const perScan = (ms: number, run: RunFigures) => ms / run.scans;

function row(label: string, run: RunFigures, baseline: RunFigures): string {
  const ratio = run === baseline ? "baseline" : `${fmt(scansPerSecond(run) / scansPerSecond(baseline))}×`;
  const perProcess = run.perProcess.map((p) => `${p.runs}, ${p.runs > 0 ? fmt(p.cpuMs / p.runs) : "–"}`).join("; ");
  const postgres = run.postgresCpuMs === undefined ? "n/a" : fmt(perScan(run.postgresCpuMs, run));
  const busy = run.machine === undefined ? "n/a" : `${fmt((run.machine.busy / run.machine.total) * 100, 0)} %`;
  return (
    `| ${label} | ${fmt(scansPerSecond(run), 1)} | ${fmt(run.seconds)} | ${ratio} | ${fmt(perScan(run.workerCpuMs, run))} | ` +
    `${fmt(run.workerCpuMs / 1000 / run.seconds)} | ${perProcess} | ` +
    `${postgres} | ${fmt(perScan(run.redisCpuMs, run))} | ${fmt(run.idleCpuMsPerSecond)} | ${busy} |`
  );
}

/**
 * Issue 18's scaling figure: how fast 1 and 2 real scan-worker processes drain the same backlog of
 * dependency scans, and what a scan costs in CPU: in the workers (the per-node cost that replicas divide),
 * and in the Postgres backends serving them and the queue Redis (shared by every replica).
 */
export default async function scanWorkerScalingBench(): Promise<void> {
  const template = `secapi_bench_${randomBytes(4).toString("hex")}`;
  const scanInputKey = randomBytes(32);
  try {
    console.log(`\n  scaling: importing ${ADVISORIES.toLocaleString("en-US")} advisories and queuing ${WARMUP_SCANS} + ${SCANS} scans...`);
    const backlog = await prepareTemplate(template, scanInputKey);
    const rounds: RunFigures[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? PROCESS_COUNTS : [...PROCESS_COUNTS].reverse();
      const runs: RunFigures[] = [];
      for (const processes of order) {
        console.log(
          `  scaling: round ${round + 1}, ${processes} scan-worker process${processes === 1 ? "" : "es"} (load average ${fmt(loadavg()[0] ?? 0)})...`,
        );
        runs.push(await drain(processes, template, backlog, scanInputKey));
      }
      rounds.push(runs);
    }
    const all = PROCESS_COUNTS.map((processes) => merge(rounds.flatMap((runs) => runs.filter((r) => r.processes === processes))));
    const [baseline] = all as [RunFigures];
    const cores = availableParallelism();

    console.log(
      `\n## Scan-worker scaling: a backlog of ${SCANS} dependency scans (${PACKAGES_PER_SCAN} npm packages each), ${ROUNDS} rounds\n`,
    );
    console.log(
      "| worker processes | scans/s | drain s | vs 1 process | worker CPU-ms/scan | worker cores used | per process: scans, CPU-ms/scan | " +
        "Postgres backends CPU-ms/scan | Redis CPU-ms/scan | idle workers CPU-ms/s | machine busy |",
    );
    console.log("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|");
    rounds.forEach((runs, round) => {
      const roundBaseline = runs.find((r) => r.processes === baseline.processes) ?? baseline;
      for (const run of runs) console.log(row(`${run.processes}, round ${round + 1}`, run, roundBaseline));
    });
    for (const run of all) console.log(row(`**${run.processes}, all rounds**`, run, baseline));

    const ceiling = (cores * 1000) / perScan(baseline.workerCpuMs + (baseline.postgresCpuMs ?? 0) + baseline.redisCpuMs, baseline);
    console.log(
      `\n${cores} cores (os.availableParallelism()), load average at the end ${loadavg()
        .map((l) => fmt(l))
        .join(" ")}; ` +
        `SCAN_WORKER_CONCURRENCY ${CONCURRENCY ?? "default (4)"} per process; ${ADVISORIES.toLocaleString("en-US")} advisories in Postgres, ` +
        `${fmt(baseline.findings / baseline.scans, 1)} findings per scan; ${WARMUP_SCANS} warm-up scans drained first in each run, ` +
        "each run on a fresh copy of the same database and a queue prefix of its own.",
    );
    console.log(
      "Worker CPU: process_cpu_seconds_total of each worker (all its threads) over the measured backlog; cores used: " +
        "that CPU time over the drain's wall time, all workers together; idle: the workers' CPU over " +
        `${IDLE_WINDOW_MS / 1000} s with the queue paused just before the drain (mean of the rounds). Postgres: the ` +
        "backends serving the workers (/proc), not the WAL writer or checkpointer. Redis: the whole server's used_cpu_user + " +
        "used_cpu_sys, so anything else using it counts too. Machine busy: all cores, anyone's work. The bench's own polling is in none of the per-scan figures.",
    );
    console.log(
      `If scans were bound by CPU alone, this machine would top out near ${fmt(ceiling, 0)} scans/s ` +
        "(cores × 1000 / (worker + Postgres + Redis CPU-ms per scan), 1-process figures).",
    );
    const failed = all.filter((r) => r.failed > 0);
    if (failed.length > 0) console.log(`FAILED scans: ${failed.map((r) => `${r.failed} with ${r.processes} processes`).join(", ")}.`);
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  }
}
