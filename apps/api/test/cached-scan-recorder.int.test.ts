import { randomUUID } from "node:crypto";
import { createUserWithKey } from "@secapi/core";
import { type Db, type InputKey, createDb, createPool } from "@secapi/db";
import { createLogger } from "@secapi/runtime";
import { type TestDatabase, createTestDatabase } from "@secapi/testing";
import { type KyselyPlugin, sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedScanRecorder } from "../src/scans/cached-scan-recorder.js";

/** Group commit of cache-hit submissions, against the real Postgres. */
let database: TestDatabase;
let db: Db;
let userId: string;
const key: InputKey = { scanType: "dependencies", ownerId: null, inputHash: "c".repeat(64) };
const cached = { resultId: "", result: { findings: [] }, computedAt: new Date().toISOString(), advisoryRevision: null };

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 4 }));
  userId = (await createUserWithKey(db, { email: "group@example.com", tier: "pro" })).user.id;
  const scan = await sql<{ id: string }>`
    INSERT INTO scan_results (scan_type, owner_id, input_hash, result, tags) VALUES ('dependencies', NULL, ${key.inputHash}, '{}'::jsonb, '{}')
    RETURNING id`.execute(db);
  cached.resultId = scan.rows[0]?.id ?? "";
});

afterAll(async () => {
  await db.destroy();
  await database.drop();
});

function recorder(committed: Array<ReadonlySet<string>>): CachedScanRecorder {
  return new CachedScanRecorder({
    db,
    logger: createLogger({ service: "test", level: "silent" }),
    onCommitted: async (userIds) => {
      committed.push(userIds);
    },
  });
}

const countWhere = async (table: "scans" | "outbox", ids: string[]) =>
  table === "scans"
    ? Number((await sql<{ n: string }>`SELECT count(*) AS n FROM scans WHERE id = ANY(${ids}::uuid[])`.execute(db)).rows[0]?.n)
    : Number(
        (await sql<{ n: string }>`SELECT count(*) AS n FROM outbox WHERE payload::jsonb -> 'data' ->> 'scanId' = ANY(${ids})`.execute(db))
          .rows[0]?.n,
      );

describe("CachedScanRecorder", () => {
  it("commits concurrent submissions together, each with its own completed cached scan and scan.created event", async () => {
    const committed: Array<ReadonlySet<string>> = [];
    const shared = recorder(committed);
    const batched = await Promise.all(Array.from({ length: 100 }, () => shared.record({ userId, key, cached })));
    const ids = batched.map((row) => row.id);
    expect(new Set(ids).size).toBe(100);
    expect(
      batched.every((row) => row.status === "completed" && row.cached && row.result_id === cached.resultId && row.user_id === userId),
    ).toBe(true);
    // Answered only once committed: every row and event is there when the promises resolve.
    expect(await countWhere("scans", ids)).toBe(100);
    expect(await countWhere("outbox", ids)).toBe(100);
    // The 100 arrived in one turn of the event loop: one transaction, one notice for their one user.
    expect(committed).toEqual([new Set([userId])]);
  });

  it("keeps going in order across batches as submissions keep arriving", async () => {
    const committed: Array<ReadonlySet<string>> = [];
    const shared = recorder(committed);
    const first = shared.record({ userId, key, cached });
    await new Promise((resolve) => setImmediate(resolve));
    // The first transaction is in flight: these wait for the next one.
    const later = Array.from({ length: 20 }, () => shared.record({ userId, key, cached }));
    const rows = await Promise.all([first, ...later]);
    expect(
      await countWhere(
        "scans",
        rows.map((row) => row.id),
      ),
    ).toBe(21);
    expect(committed.length).toBe(2);
  });

  it("fails only the submission that cannot be stored, not the rest of its batch", async () => {
    const shared = recorder([]);
    const results = await Promise.allSettled([
      shared.record({ userId, key, cached }),
      shared.record({ userId: randomUUID(), key, cached }), // no such user: the foreign key refuses it
      shared.record({ userId, key, cached }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const stored = results.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : []));
    expect(await countWhere("scans", stored)).toBe(2);
  });

  it("fails a whole batch at once when Postgres itself fails, without retrying each submission", async () => {
    const unreachable = createDb(createPool({ connectionString: "postgres://postgres@127.0.0.1:1/none", max: 1 }));
    let statements = 0;
    const counting: KyselyPlugin = {
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    };
    const failing = new CachedScanRecorder({
      db: unreachable.withPlugin(counting),
      logger: createLogger({ service: "test", level: "silent" }),
      onCommitted: async () => undefined,
    });
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => failing.record({ userId, key, cached })));
    expect(results.every((r) => r.status === "rejected")).toBe(true);
    expect(statements).toBe(1);
    await unreachable.destroy();
  });
});
