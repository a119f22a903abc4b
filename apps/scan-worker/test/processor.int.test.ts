import { randomBytes, randomUUID } from "node:crypto";
import { loadConfig } from "@secapi/config";
import { inputHash, resolveScanType, scanWindows, sealInput, userSubject } from "@secapi/core";
import { RateLimiter } from "@secapi/limiter";
import { type Db, type InputKey, createDb, createPool, insertScan, putScanInput, recordScanUsage } from "@secapi/db";
import { QUEUES, type QueueName, closeQueues, createQueues, scanCoalescingKey, scanRunJobId } from "@secapi/events";
import { createLogger } from "@secapi/runtime";
import { ScanPool, type ScanTask, runScan } from "@secapi/scanners";
import { TEST_REDIS_URL, type TestDatabase, createTestDatabase, inlineMs, uniqueId, waitFor, worstGapDuring } from "@secapi/testing";
import { type Job, type Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createQuotaRefunder } from "../src/refund-quota.js";
import { createScanProcessor } from "../src/scan-processor.js";

const scanInputKey = randomBytes(32);
const logger = createLogger({ service: "scan-worker-test", level: "silent" });
let database: TestDatabase;
let db: Db;
let workerDb: Db;
let redis: Redis;
let queues: Record<QueueName, Queue>;
let worker: Worker;
let pool: ScanPool;
let prefix: string;
let userId: string;
const finishedRuns: { outcome: string; scans: unknown[] }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 4 }));
  // The worker's own pool, with a short statement timeout so a held lock becomes a transient error.
  workerDb = createDb(createPool({ connectionString: database.url, max: 4, statementTimeoutMs: 300 }));
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
  prefix = uniqueId("q");
  queues = createQueues({ connection: redis, prefix, scanAttempts: 3 });
  pool = new ScanPool({ threads: 2 });
  worker = new Worker(
    QUEUES.scans,
    createScanProcessor({ db: workerDb, pool, scanInputKey, logger, onRunFinished: (run) => finishedRuns.push(run) }),
    { connection: redis.duplicate(), prefix, concurrency: 2 },
  );
  userId = (
    await db
      .insertInto("users")
      .values({ email: "w@example.com", tier: "free", webhook_url: null })
      .returning("id")
      .executeTakeFirstOrThrow()
  ).id;
});

afterAll(async () => {
  await worker.close();
  await pool.close();
  await queues.scans.obliterate({ force: true });
  await closeQueues(queues);
  redis.disconnect();
  await workerDb.destroy();
  await db.destroy();
  await database.drop();
});

/** What the API does on a submission, minus HTTP: a scan row, the sealed input, and the job. */
async function submit(input: unknown, scans = 1): Promise<{ key: InputKey; jobId: string; scanIds: string[] }> {
  const type = resolveScanType("secrets");
  if (!type) throw new Error("no secrets type");
  const key: InputKey = { scanType: "secrets", ownerId: userId, inputHash: inputHash(input) };
  const scanIds = Array.from({ length: scans }, () => randomUUID());
  const jobId = scanRunJobId(key, scanIds[0] ?? "");
  for (const id of scanIds) await insertScan(db, { id, userId, key, status: "queued", jobId });
  await putScanInput(db, key, sealInput(scanInputKey, key, input));
  await queues.scans.add("scan", key, { jobId });
  return { key, jobId, scanIds };
}

const awsKey = () => `AKIA${Array.from(randomBytes(16), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b % 32]).join("")}`;

async function scansOf(ids: string[]) {
  return db.selectFrom("scans").selectAll().where("id", "in", ids).orderBy("id").execute();
}

async function eventsFor(scanIds: string[]) {
  const rows = await db.selectFrom("outbox").selectAll().where("queue", "=", "events").execute();
  return rows.filter((r) => scanIds.includes((r.payload as { data: { scanId: string } }).data.scanId));
}

async function untilFinished(ids: string[]) {
  return waitFor(
    async () => {
      const rows = await scansOf(ids);
      return rows.every((r) => r.status === "completed" || r.status === "failed") ? rows : undefined;
    },
    { timeoutMs: 20_000, what: "scans to finish" },
  );
}

describe("scan processor", () => {
  it("scans off the event loop, stores one result, finishes every scan of the run and emits their events", async () => {
    const secret = awsKey();
    const input = { files: [{ path: ".env", content: `AWS_ACCESS_KEY_ID=${secret}\nTOKEN=\${TOKEN}\n` }] };
    const { key, scanIds } = await submit(input, 3);
    const rows = await untilFinished(scanIds);
    expect(rows.map((r) => r.status)).toEqual(["completed", "completed", "completed"]);
    expect(new Set(rows.map((r) => r.result_id)).size).toBe(1);

    const result = await db.selectFrom("scan_results").selectAll().where("input_hash", "=", key.inputHash).execute();
    expect(result).toHaveLength(1);
    const findings = (result[0]?.result as { findings: { rule_id: string; redacted: string }[] }).findings;
    expect(findings.map((f) => f.rule_id)).toEqual(["aws-access-key-id"]);
    expect(JSON.stringify(result)).not.toContain(secret);

    const events = await eventsFor(scanIds);
    expect(events.map((e) => e.job_name)).toEqual(["scan.completed", "scan.completed", "scan.completed"]);
    expect(await db.selectFrom("scan_inputs").selectAll().where("input_hash", "=", key.inputHash).execute()).toHaveLength(0);
  });

  it("changes nothing when the same job runs again", async () => {
    const { key, jobId, scanIds } = await submit({ files: [{ path: "a", content: `k=${awsKey()}` }] });
    await untilFinished(scanIds);
    const before = { events: await eventsFor(scanIds), scans: await scansOf(scanIds) };
    const rerun = await queues.scans.add("scan", key, { jobId });
    await waitFor(async () => (await rerun.getState()) === "unknown", { what: "the rerun to end" });
    expect(finishedRuns.length).toBeGreaterThan(0);
    expect(await eventsFor(scanIds)).toEqual(before.events);
    expect(await scansOf(scanIds)).toEqual(before.scans);
    expect(await db.selectFrom("scan_results").selectAll().where("input_hash", "=", key.inputHash).execute()).toHaveLength(1);
  });

  it("fails invalid input at once, without retrying", async () => {
    const { jobId, scanIds } = await submit({ files: "not a list" });
    const job = await waitFor(() => queues.scans.getJob(jobId).then((j) => j ?? undefined), { what: "job" }).catch(() => undefined);
    const [row] = await untilFinished(scanIds);
    expect(row?.status).toBe("failed");
    expect(row?.error_code).toBe("invalid_input");
    expect(row?.error).toContain("files");
    expect(job === undefined || job.attemptsMade === 0).toBe(true);
    expect((await eventsFor(scanIds)).map((e) => e.job_name)).toEqual(["scan.failed"]);
  });

  it("fails at once, without retrying, when Postgres refuses the result's values (the same on every attempt)", async () => {
    // Scanned fine, but the finding's path holds U+0000, which a jsonb result cannot store (SQLSTATE 22P05).
    const { jobId, scanIds } = await submit({ files: [{ path: "bad\u0000name.env", content: `AWS_ACCESS_KEY_ID=${awsKey()}` }] });
    const attempts: number[] = [];
    const onFailed = (job: Job | undefined) => job?.id === jobId && attempts.push(job.attemptsMade);
    worker.on("failed", onFailed);
    try {
      const [row] = await untilFinished(scanIds);
      expect(row?.status).toBe("failed");
      expect(row?.error_code).toBe("scan_failed");
      await waitFor(() => attempts.length > 0, { what: "the failed attempt" });
      // Three attempts are configured (createQueues scanAttempts: 3); one was made.
      expect(attempts).toEqual([1]);
      expect((await queues.scans.getJob(jobId))?.attemptsMade ?? 1).toBe(1);
    } finally {
      worker.off("failed", onFailed);
    }
  });

  /**
   * A real transient fault: another session holds the run's advisory lock, so the worker's finishing
   * transaction hits its 300 ms statement timeout until the lock is released.
   */
  async function holdRunLock(input: unknown): Promise<pg.Client> {
    const lock = new pg.Client({ connectionString: database.url });
    await lock.connect();
    const key = { scanType: "secrets", ownerId: userId, inputHash: inputHash(input) };
    await lock.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [scanCoalescingKey(key)]);
    return lock;
  }

  it("retries a transient database error with back-off and then completes", async () => {
    const input = { files: [{ path: "b", content: `k=${awsKey()}` }] };
    const lock = await holdRunLock(input);
    const attempts: number[] = [];
    const onFailed = (job: Job | undefined) => attempts.push(job?.attemptsMade ?? -1);
    worker.on("failed", onFailed);
    try {
      const { scanIds } = await submit(input);
      await waitFor(() => attempts.length > 0, { timeoutMs: 10_000, what: "a failed attempt" });
      await lock.end();
      const [row] = await untilFinished(scanIds);
      expect(row?.status).toBe("completed");
      expect(attempts[0]).toBe(1);
    } finally {
      worker.off("failed", onFailed);
      await lock.end().catch(() => undefined);
    }
  });

  it("marks the scans failed when the last attempt fails, and gives their scan quota back", async () => {
    // A pool that was closed rejects every scan: the scan step fails, the database works.
    const brokenPool = new ScanPool({ threads: 1 });
    await brokenPool.close();
    const brokenPrefix = uniqueId("q");
    const brokenQueues = createQueues({ connection: redis, prefix: brokenPrefix, scanAttempts: 2 });
    const limiter = new RateLimiter({ redis, prefix: `${brokenPrefix}:rl` });
    const windows = scanWindows(loadConfig({}).tiers.free);
    // The quota the submission consumed (in Redis, and in Postgres' durable record).
    await limiter.check({ subject: userSubject(userId), windows });
    await recordScanUsage(db, { userId, scanId: null });
    const refund = createQuotaRefunder({ db: workerDb, limiter, tiers: loadConfig({}).tiers, logger });
    const brokenWorker = new Worker(QUEUES.scans, createScanProcessor({ db: workerDb, pool: brokenPool, scanInputKey, logger, refund }), {
      connection: redis.duplicate(),
      prefix: brokenPrefix,
    });
    try {
      const input = { files: [{ path: "c", content: `k=${awsKey()}` }] };
      const key: InputKey = { scanType: "secrets", ownerId: userId, inputHash: inputHash(input) };
      const scanId = randomUUID();
      const jobId = scanRunJobId(key, scanId);
      await insertScan(db, { id: scanId, userId, key, status: "queued", jobId });
      await putScanInput(db, key, sealInput(scanInputKey, key, input));
      await brokenQueues.scans.add("scan", key, { jobId, backoff: { type: "fixed", delay: 100 } });
      const [row] = await untilFinished([scanId]);
      expect(row?.status).toBe("failed");
      expect(row?.error_code).toBe("scan_failed");
      expect((await eventsFor([scanId])).map((e) => e.job_name)).toEqual(["scan.failed"]);
      expect(await db.selectFrom("scan_inputs").selectAll().where("input_hash", "=", key.inputHash).execute()).toHaveLength(0);
      // The refund is written after the scan is marked failed: wait for it rather than race it.
      const refunded = () => db.selectFrom("api_usage").select("cost").where("scan_id", "=", scanId).execute();
      await waitFor(async () => (await refunded()).length > 0, { what: "the refund row" });
      expect(await refunded()).toEqual([{ cost: -1 }]);
      // Redis is refunded before the row is written.
      const usage = await limiter.check({ subject: userSubject(userId), windows, peek: true });
      expect(usage.windows.map((w) => w.used)).toEqual([0, 0]);
    } finally {
      limiter.close();
      await brokenWorker.close();
      await brokenQueues.scans.obliterate({ force: true });
      await closeQueues(brokenQueues);
    }
  });

  // Large enough that the inline cost (seconds) dwarfs the pauses a loaded machine gives any event loop.
  it("keeps the event loop responsive while a 20 MB input is scanned", { timeout: 120_000 }, async () => {
    const line = "const x = 1; // some ordinary source code that has no credentials at all in it\n";
    const content = line.repeat(Math.floor((20 * 1024 * 1024) / line.length)) + `TOKEN=${awsKey()}\n`;
    const task: ScanTask = { engine: "secrets", input: { files: [{ path: "big.js", content }] } };
    // What the scan would block the event loop for if it ran on it, measured here on this (maybe busy) machine.
    const inline = inlineMs(() => expect(runScan(task).status).toBe("completed"));

    const { result: outcome, worstGap } = await worstGapDuring(() => pool.run(task));
    expect(outcome.status === "completed" && outcome.output.result.summary.total).toBe(1);
    console.log(
      `[scan-worker] 20 MB scan: ${inline.toFixed(0)} ms inline; worst event-loop gap ${worstGap.toFixed(0)} ms with it on a thread`,
    );
    // On a thread, the loop only pays for handing the input over: a fraction of the scan itself.
    expect(worstGap).toBeLessThan(inline / 2);
  });
});

describe("the database sees the run", () => {
  it("left no sealed inputs behind for finished runs", async () => {
    const { rows } = await sql<{ n: string }>`
      SELECT count(*) AS n FROM scan_inputs i
      WHERE NOT EXISTS (SELECT 1 FROM scans s WHERE s.input_hash = i.input_hash AND s.status IN ('queued', 'running'))
    `.execute(db);
    expect(Number(rows[0]?.n)).toBe(0);
  });
});

describe("lost-run sweeper", () => {
  it("re-enqueues a run whose job vanished, and fails one lost for too long", async () => {
    const { LostRunSweeper } = await import("../src/lost-run-sweeper.js");
    const sweeperPrefix = uniqueId("q");
    const sweeperQueues = createQueues({ connection: redis, prefix: sweeperPrefix });
    const sweeper = new LostRunSweeper({
      db,
      scansQueue: sweeperQueues.scans,
      logger,
      graceMs: 1000,
      giveUpMs: 3600_000,
      intervalMs: 60_000,
      kickRelay: () => undefined,
    });
    try {
      const recent = { files: [{ path: "lost", content: `k=${awsKey()}` }] };
      const recentKey: InputKey = { scanType: "secrets", ownerId: userId, inputHash: inputHash(recent) };
      const recentId = randomUUID();
      const recentJob = scanRunJobId(recentKey, recentId);
      await insertScan(db, { id: recentId, userId, key: recentKey, status: "running", jobId: recentJob });
      await putScanInput(db, recentKey, sealInput(scanInputKey, recentKey, recent));

      const ancientKey: InputKey = { scanType: "secrets", ownerId: userId, inputHash: inputHash({ ancient: true }) };
      const ancientId = randomUUID();
      const ancientJob = scanRunJobId(ancientKey, ancientId);
      await insertScan(db, { id: ancientId, userId, key: ancientKey, status: "queued", jobId: ancientJob });
      await sql`UPDATE scans SET created_at = now() - interval '2 hours' WHERE id = ${ancientId}`.execute(db);
      await sql`UPDATE scans SET created_at = now() - interval '10 seconds' WHERE id = ${recentId}`.execute(db);

      const swept = await sweeper.sweep();
      expect(swept.requeued).toContain(recentJob);
      expect(swept.failed).toContain(ancientJob);
      const outbox = await db.selectFrom("outbox").selectAll().where("job_id", "=", recentJob).execute();
      expect(outbox).toHaveLength(1);
      const [ancient] = await scansOf([ancientId]);
      expect(ancient?.status).toBe("failed");
      expect(ancient?.error_code).toBe("scan_lost");

      // A run whose job exists is left alone.
      await sweeperQueues.scans.add("scan", recentKey, { jobId: recentJob });
      expect((await sweeper.sweep()).requeued).not.toContain(recentJob);
    } finally {
      await sweeperQueues.scans.obliterate({ force: true });
      await closeQueues(sweeperQueues);
    }
  });
});
