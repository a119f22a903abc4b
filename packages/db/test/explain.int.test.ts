import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Expression, sql } from "kysely";
import { findInFlightScan, findScanResult, listScansForUser, scanUsageSince } from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db } = fixture;
afterAll(() => fixture.close());

const hash = (n: number) => createHash("sha256").update(String(n)).digest("hex");
let someUser = "";

/** Index names anywhere in the plan of a query, as Postgres would run it with these parameters. */
async function indexesUsed(query: Expression<unknown>): Promise<string[]> {
  const { rows } = await sql<{ "QUERY PLAN": unknown }>`EXPLAIN (FORMAT JSON) ${query}`.execute(db);
  const names: string[] = [];
  JSON.stringify(rows, (key, value: unknown) => {
    if (key === "Index Name" && typeof value === "string") names.push(value);
    return value;
  });
  return names;
}

describe("the real queries use their indexes", () => {
  beforeAll(async () => {
    // Enough rows that a sequential scan is not the cheap option; ANALYZE so the planner knows.
    await sql`
      INSERT INTO users (email, tier)
      SELECT 'user' || g || '@example.com', 'free' FROM generate_series(1, 200) g
    `.execute(db);
    await sql`
      INSERT INTO scans (user_id, scan_type, status, input_hash, job_id, created_at)
      SELECT u.id, CASE WHEN g % 3 = 0 THEN 'secrets' ELSE 'dependencies' END,
             CASE WHEN g % 10 = 0 THEN 'queued' ELSE 'completed' END,
             encode(sha256(g::text::bytea), 'hex'), 'job-' || g,
             now() - (g || ' seconds')::interval
      FROM generate_series(1, 20000) g
      JOIN LATERAL (SELECT id FROM users ORDER BY id OFFSET (g % 200) LIMIT 1) u ON true
    `.execute(db);
    await sql`
      INSERT INTO scan_results (scan_type, input_hash, result)
      SELECT 'dependencies', encode(sha256(g::text::bytea), 'hex'), '{}'::jsonb FROM generate_series(1, 5000) g
    `.execute(db);
    await sql`
      INSERT INTO api_usage (user_id, kind, "timestamp")
      SELECT u.id, 'scan', now() - (g || ' minutes')::interval
      FROM generate_series(1, 20000) g
      JOIN LATERAL (SELECT id FROM users ORDER BY id OFFSET (g % 200) LIMIT 1) u ON true
    `.execute(db);
    await sql`ANALYZE`.execute(db);
    someUser = (await db.selectFrom("users").select("id").limit(1).executeTakeFirstOrThrow()).id;
  });

  it("lists a user's scans by scans_user_created_idx", async () => {
    const query = db
      .selectFrom("scans")
      .selectAll()
      .where("user_id", "=", someUser)
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(21);
    expect(await indexesUsed(query)).toContain("scans_user_created_idx");
    // The query the API runs returns the newest first.
    const page = await listScansForUser(db, someUser, { limit: 5 });
    expect(page).toHaveLength(5);
    expect([...page].sort((a, b) => b.created_at.getTime() - a.created_at.getTime())).toEqual(page);
  });

  it("filters by label with scans_labels_idx", async () => {
    await sql`UPDATE scans SET labels = jsonb_build_object('project', 'rare', 'ref', 'r' || (random() * 10)::int) WHERE id IN (SELECT id FROM scans WHERE user_id = ${someUser} LIMIT 20)`.execute(
      db,
    );
    await sql`UPDATE scans SET labels = '{"project": "common"}' WHERE labels = '{}' AND random() < 0.5`.execute(db);
    await sql`ANALYZE scans`.execute(db);
    const query = db
      .selectFrom("scans")
      .select("id")
      .where(sql<boolean>`labels @> ${JSON.stringify({ project: "rare" })}::jsonb`);
    expect(await indexesUsed(query)).toContain("scans_labels_idx");
    const page = await listScansForUser(db, someUser, { limit: 100, labels: { project: "rare" } });
    expect(page).toHaveLength(20);
    expect(page.every((row) => row.labels.project === "rare")).toBe(true);
  });

  it("finds scans and results by input hash through their indexes", async () => {
    const key = { scanType: "dependencies", ownerId: null, inputHash: hash(10) };
    const inFlight = db
      .selectFrom("scans")
      .selectAll()
      .where("scan_type", "=", key.scanType)
      .where("input_hash", "=", key.inputHash)
      .where("owner_scoped", "=", false)
      .where("status", "in", ["queued", "running"]);
    expect(await indexesUsed(inFlight)).toContain("scans_input_hash_idx");
    expect((await findInFlightScan(db, key))?.input_hash).toBe(key.inputHash);

    const result = db
      .selectFrom("scan_results")
      .selectAll()
      .where("scan_type", "=", key.scanType)
      .where("input_hash", "=", hash(20))
      .where("owner_id", "is", null);
    expect(await indexesUsed(result)).toContain("scan_results_input_key");
    expect(await findScanResult(db, { ...key, inputHash: hash(20) })).toBeDefined();
  });

  it("sums monthly usage by api_usage_user_timestamp_idx", async () => {
    const since = new Date(Date.now() - 24 * 3600 * 1000);
    const query = db
      .selectFrom("api_usage")
      .select((eb) => eb.fn.sum("cost").as("used"))
      .where("user_id", "=", someUser)
      .where("kind", "=", "scan")
      .where("timestamp", ">=", since);
    expect(await indexesUsed(query)).toContain("api_usage_user_timestamp_idx");
    expect(await scanUsageSince(db, someUser, since)).toBeGreaterThan(0);
  });

  it("filters by status and type with scans_status_type_idx", async () => {
    const query = db.selectFrom("scans").select("id").where("status", "=", "queued").where("scan_type", "=", "secrets");
    expect(await indexesUsed(query)).toContain("scans_status_type_idx");
  });
});

describe("idempotency key expiry", () => {
  it("deletes only keys older than the window", async () => {
    const { deleteExpiredIdempotencyKeys } = await import("../src/index.js");
    await sql`
      INSERT INTO idempotency_keys (user_id, key, request_hash, created_at)
      VALUES (${someUser}, 'old', ${"a".repeat(64)}, now() - interval '25 hours'),
             (${someUser}, 'new', ${"b".repeat(64)}, now() - interval '1 hour')
    `.execute(db);
    expect(await deleteExpiredIdempotencyKeys(db, 24 * 3600)).toBe(1);
    const left = await db.selectFrom("idempotency_keys").select("key").execute();
    expect(left.map((r) => r.key)).toEqual(["new"]);
  });
});
