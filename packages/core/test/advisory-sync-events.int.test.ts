import { createDb, createPool, type Db, countAdvisories } from "@secapi/db";
import { FeedServer, createTestDatabase, npmAdvisory, type TestDatabase } from "@secapi/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ADVISORY_EVENT_PACKAGES, syncAdvisoryFeed } from "../src/index.js";

let database: TestDatabase;
let db: Db;
let feed: FeedServer;

beforeEach(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 5 }));
  feed = await new FeedServer().start();
});
afterEach(async () => {
  await feed.stop();
  await db.destroy();
  await database.drop();
});

/** The `advisories.updated` events written so far, oldest first. */
async function updatedEvents(): Promise<{ id: string; data: { ecosystem: string; packages: string[] } }[]> {
  const rows = await db.selectFrom("outbox").select("payload").where("job_name", "=", "advisories.updated").orderBy("id").execute();
  return rows.map((r) => r.payload as { id: string; data: { ecosystem: string; packages: string[] } });
}

describe("advisories.updated events of a large import", () => {
  it("name at most ADVISORY_EVENT_PACKAGES packages each, together exactly the changed ones", async () => {
    expect(ADVISORY_EVENT_PACKAGES).toBe(1000);
    const names = Array.from({ length: 2500 }, (_, i) => `big-pkg-${String(i).padStart(4, "0")}`);
    feed.put(...names.map((name, i) => npmAdvisory(`GHSA-big-${i}`, name, "1.0.0", "2024-01-01T00:00:00Z")));

    const result = await syncAdvisoryFeed({ db, baseUrl: feed.url, ecosystems: ["npm"], retries: 0, timeoutMs: 30_000 });
    expect(result).toMatchObject({ status: "done", ecosystems: [{ outcome: "ok", imported: 2500 }] });
    expect(await countAdvisories(db)).toBe(2500);
    // The summary still counts per ecosystem.
    expect(result.status === "done" && result.ecosystems[0]?.events).toEqual([{ ecosystem: "npm", packages: 2500 }]);

    const events = await updatedEvents();
    expect(events.map((e) => e.data.packages.length)).toEqual([1000, 1000, 500]);
    expect(new Set(events.map((e) => e.data.ecosystem))).toEqual(new Set(["npm"]));
    expect(new Set(events.map((e) => e.id)).size).toBe(3);
    const named = events.flatMap((e) => e.data.packages);
    expect(named).toHaveLength(2500);
    expect(new Set(named)).toEqual(new Set(names));

    // A later change of one package is one small event again.
    feed.put(npmAdvisory("GHSA-big-7", "big-pkg-0007", "1.0.1", "2024-02-01T00:00:00Z"));
    await syncAdvisoryFeed({ db, baseUrl: feed.url, ecosystems: ["npm"], retries: 0, timeoutMs: 30_000 });
    expect((await updatedEvents()).slice(3).map((e) => e.data.packages)).toEqual([["big-pkg-0007"]]);
  });
});
