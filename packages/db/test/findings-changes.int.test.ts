import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  findResultsTagged,
  findScanOwnersWithWebhooks,
  findWatchedResultsTagged,
  insertScan,
  lockStoredResult,
  markFindingsChanged,
  updateUserWebhook,
  upsertScanResult,
} from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db } = fixture;
afterAll(() => fixture.close());

const hash = (n: number) => createHash("sha256").update(`findings-${n}`).digest("hex");
const tag = (n: number) => `pkg:npm/p${n}`;
const key = (n: number) => ({ scanType: "dependencies", ownerId: null, inputHash: hash(n) });
let watcher = "";
let quiet = "";
const results: string[] = [];

beforeAll(async () => {
  const user = (email: string) =>
    db.insertInto("users").values({ email, tier: "pro", webhook_url: null }).returning("id").executeTakeFirstOrThrow();
  watcher = (await user("watcher@example.com")).id;
  quiet = (await user("quiet@example.com")).id;
  await updateUserWebhook(db, watcher, { url: "https://hooks.example.com/w", secret: "whsec_x" });
  // Result n holds packages n and n + 1; results 0–3 are watched (a scan by the user with a webhook).
  for (let n = 0; n < 8; n++) {
    results.push(await upsertScanResult(db, key(n), { findings: [] }, [tag(n), tag(n + 1)]));
    await insertScan(db, { userId: n < 4 ? watcher : quiet, key: key(n), status: "completed", jobId: null, resultId: results[n]! });
  }
});

describe("results by tag", () => {
  it("finds the same results with a few tags (GIN) as with many (hashed per tag)", async () => {
    const few = [tag(2), tag(6)];
    const many = [...few, ...Array.from({ length: 60 }, (_, i) => `pkg:npm/unrelated-${i}`)];
    const ids = async (tags: string[]) => (await findResultsTagged(db, tags)).map((r) => r.id).sort();
    expect(await ids(few)).toEqual([results[1], results[2], results[5], results[6]].sort());
    expect(await ids(many)).toEqual(await ids(few));
  });

  it("lists only the results a user with a webhook has a scan of, page by page", async () => {
    const tags = Array.from({ length: 9 }, (_, n) => tag(n));
    const first = await findWatchedResultsTagged(db, tags, { limit: 3 });
    const rest = await findWatchedResultsTagged(db, tags, { afterId: first.at(-1)!.id, limit: 3 });
    expect([...first, ...rest].map((r) => r.id).sort()).toEqual(results.slice(0, 4).sort());
    expect(
      await findWatchedResultsTagged(db, [...tags, ...Array.from({ length: 40 }, (_, i) => `pkg:npm/x${i}`)], { limit: 10 }),
    ).toHaveLength(4);
  });
});

describe("findings changes", () => {
  it("marks the completed scans of a result, and names the owners with a webhook", async () => {
    const locked = await db.transaction().execute((tx) => lockStoredResult(tx, key(3)));
    expect(locked?.id).toBe(results[3]);
    const marked = await markFindingsChanged(db, results[3]!);
    expect(marked.map((s) => s.user_id)).toEqual([watcher]);
    const quietScans = await markFindingsChanged(db, results[5]!);
    expect(
      (
        await findScanOwnersWithWebhooks(
          db,
          [...marked, ...quietScans].map((s) => s.id),
        )
      ).map((s) => s.user_id),
    ).toEqual([watcher]);
  });
});
