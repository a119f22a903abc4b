import { randomUUID } from "node:crypto";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  ADVISORIES_CHANGED_CHANNEL,
  changedSince,
  currentAdvisoryRevision,
  findAdvisorySnapshot,
  findScanResult,
  recordAdvisoryChange,
  upsertAdvisories,
  upsertScanResult,
} from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db } = fixture;
afterAll(() => fixture.close());

const key = () => ({ scanType: "dependencies", ownerId: null, inputHash: randomUUID().replace(/-/g, "").padEnd(64, "0") });

describe("advisory revisions", () => {
  it("moves the revision by one per recorded change, stamps the tags, and announces it at commit", async () => {
    const listener = new pg.Client({ connectionString: fixture.database.url });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (message) => heard.push(message.payload ?? ""));
    await listener.query(`LISTEN ${ADVISORIES_CHANGED_CHANNEL}`);
    try {
      const before = await currentAdvisoryRevision(db);
      const revision = await db.transaction().execute(async (tx) => {
        const inside = await recordAdvisoryChange(tx, ["pkg:npm/a", "pkg:npm/b", "pkg:npm/a"]);
        // Not visible (nor announced) before the import commits.
        expect(await currentAdvisoryRevision(db)).toBe(before);
        return inside;
      });
      expect(revision).toBe(before + 1);
      expect(await currentAdvisoryRevision(db)).toBe(revision);
      expect(await changedSince(db, ["pkg:npm/b"], before)).toBe(true);
      expect(await changedSince(db, ["pkg:npm/b"], revision)).toBe(false);
      expect(await changedSince(db, ["pkg:npm/c"], before)).toBe(false);
      await expect.poll(() => heard, { timeout: 10_000 }).toContain(String(revision));
    } finally {
      await listener.end();
    }
  });

  it("calls a result current until one of its packages changes after its revision, or its valid_until passes", async () => {
    const revision = await currentAdvisoryRevision(db);
    const mine = key();
    await upsertScanResult(db, mine, { findings: [] }, ["pkg:npm/left", "pkg:npm/right"], { advisoryRevision: revision });
    const secrets = { ...key(), scanType: "secrets" };
    await upsertScanResult(db, secrets, { findings: [] }, [], { advisoryRevision: 0 });
    expect(await findScanResult(db, mine)).toMatchObject({ current: true, checked_revision: String(revision) });

    await recordAdvisoryChange(db, ["pkg:npm/elsewhere"]);
    expect(await findScanResult(db, mine)).toMatchObject({ current: true, checked_revision: String(revision + 1) });

    await recordAdvisoryChange(db, ["pkg:npm/right"]);
    expect((await findScanResult(db, mine))?.current).toBe(false);
    // A result that covers no packages never goes out of date by itself.
    expect((await findScanResult(db, secrets))?.current).toBe(true);

    // Re-run: stored with the new revision, current again; then past its valid_until.
    const now = await currentAdvisoryRevision(db);
    await upsertScanResult(db, mine, { findings: [] }, ["pkg:npm/left", "pkg:npm/right"], {
      advisoryRevision: now,
      validUntil: new Date(Date.now() + 60_000).toISOString(),
    });
    expect((await findScanResult(db, mine))?.current).toBe(true);
    await sql`UPDATE scan_results SET valid_until = now() - interval '1 second' WHERE input_hash = ${mine.inputHash}`.execute(db);
    expect((await findScanResult(db, mine))?.current).toBe(false);
  });

  it("reads advisories with the revision they are at, including those withdrawn only later", async () => {
    const advisory = (id: string, withdrawn?: string) => ({
      id,
      modified: "2024-01-01T00:00:00Z",
      withdrawn,
      data: JSON.stringify({ id }),
      packages: [{ ecosystem: "npm", name: "snapshot-pkg" }],
    });
    await upsertAdvisories(db, [
      advisory("LIVE-1"),
      advisory("LATER-1", new Date(Date.now() + 3_600_000).toISOString()),
      advisory("GONE-1", new Date(Date.now() - 3_600_000).toISOString()),
    ]);
    const snapshot = await findAdvisorySnapshot(db, [{ ecosystem: "npm", name: "snapshot-pkg" }]);
    expect(snapshot.revision).toBe(await currentAdvisoryRevision(db));
    expect(snapshot.advisories.map((a) => (a as { id: string }).id).sort()).toEqual(["LATER-1", "LIVE-1"]);
    const none = await findAdvisorySnapshot(db, [{ ecosystem: "npm", name: "no-such-pkg" }]);
    expect(none).toEqual({ revision: snapshot.revision, advisories: [] });
  });
});
