import { TEST_REDIS_URL, waitFor } from "@secapi/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack, awsAccessKeyId } from "./stack.js";

let stack: Stack;
const workerEnv = { SCAN_JOB_LOCK_MS: "2000", SCAN_WORKER_CONCURRENCY: "1" };

beforeAll(async () => {
  stack = await Stack.create();
  await stack.startApi();
});
afterAll(() => stack.close());

describe("a scan-worker killed with SIGKILL mid-scan", () => {
  it("leaves the job to another worker, and the scan completes exactly once", async () => {
    const user = await stack.createUser("pro");
    const db = new pg.Client({ connectionString: stack.database.url });
    await db.connect();
    // Hold the run's finishing lock: the first worker scans, then blocks before it can store anything.
    const blocker = new pg.Client({ connectionString: stack.database.url });
    await blocker.connect();
    try {
      const submitted = await stack.request("POST", "/api/v1/scans", user.api_key, {
        type: "secrets",
        input: { files: [{ path: "crash.env", content: `AWS_ACCESS_KEY_ID=${awsAccessKeyId()}\n` }] },
      });
      expect(submitted.status).toBe(202);
      const { rows } = await db.query<{ job_id: string; input_hash: string; user_id: string }>(
        "SELECT job_id, input_hash, user_id FROM scans WHERE id = $1",
        [submitted.body.id],
      );
      const run = rows[0];
      if (!run) throw new Error("scan row missing");
      const coalescingKey = `secrets-${run.user_id}-${run.input_hash}`;
      await blocker.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [coalescingKey]);

      const first = await stack.startScanWorker(workerEnv);
      await waitFor(
        async () => (await db.query("SELECT status FROM scans WHERE id = $1", [submitted.body.id])).rows[0]?.status === "running",
        { what: "the first worker to start the scan" },
      );
      await new Promise((r) => setTimeout(r, 300));
      await first.stop("SIGKILL");
      await blocker.query("SELECT pg_advisory_unlock_all()");

      await stack.startScanWorker(workerEnv);
      const scan = await stack.pollUntilDone(`/api/v1/scans/${submitted.body.id}`, user.api_key, 120_000);
      expect(scan.status).toBe("completed");
      expect(scan.result.findings).toHaveLength(1);

      const results = await db.query("SELECT id FROM scan_results WHERE input_hash = $1", [run.input_hash]);
      expect(results.rowCount).toBe(1);
      const events = new Queue("events", { connection: new Redis(TEST_REDIS_URL), prefix: stack.env.QUEUE_PREFIX });
      try {
        const completedEvents = async () =>
          (await events.getJobs(["waiting"])).filter((j) => j.name === "scan.completed" && j.data.data.scanId === submitted.body.id);
        await waitFor(async () => (await completedEvents()).length > 0, { what: "scan.completed" });
        // Give a duplicate completion time to show up before counting.
        await new Promise((r) => setTimeout(r, 1000));
        expect(await completedEvents()).toHaveLength(1);
      } finally {
        await events.close();
      }
    } finally {
      await blocker.end();
      await db.end();
    }
  });
});
