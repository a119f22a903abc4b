import { createDb, createPool, type Db, countAdvisories, listAdvisorySyncStates } from "@secapi/db";
import { ConnectProxy, FeedServer, createTestDatabase, freePort, npmAdvisory, type TestDatabase } from "@secapi/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { syncAdvisoryFeed, type AdvisorySyncOptions } from "../src/index.js";

let database: TestDatabase;
let db: Db;
let feed: FeedServer;

beforeEach(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 5 }));
  feed = await new FeedServer().start();
  feed.put(
    npmAdvisory("GHSA-aaaa", "lodash", "4.17.21", "2024-01-01T00:00:00Z"),
    npmAdvisory("GHSA-bbbb", "minimist", "1.2.6", "2024-02-01T00:00:00Z"),
    npmAdvisory("GHSA-cccc", "express", "4.19.2", "2024-03-01T00:00:00Z"),
  );
});
afterEach(async () => {
  await feed.stop();
  await db.destroy();
  await database.drop();
});

const sync = (extra: Partial<AdvisorySyncOptions> = {}) =>
  syncAdvisoryFeed({ db, baseUrl: feed.url, ecosystems: ["npm"], retries: 1, retryDelayMs: 10, timeoutMs: 2000, ...extra });

/** The packages named by the `advisories.updated` events written so far, oldest first. */
async function updatedEvents(): Promise<string[][]> {
  const rows = await db.selectFrom("outbox").select("payload").where("job_name", "=", "advisories.updated").orderBy("id").execute();
  return rows.map((r) => (r.payload as { data: { packages: string[] } }).data.packages);
}

describe("advisory feed sync", () => {
  it("stores all of all.zip first, then only what modified_id.csv lists as changed since", async () => {
    const first = await sync();
    expect(first).toMatchObject({
      status: "done",
      ecosystems: [{ ecosystem: "npm", mode: "full", outcome: "ok", downloaded: 3, imported: 3 }],
    });
    expect(await countAdvisories(db)).toBe(3);
    expect(feed.requests).toEqual(["/npm/all.zip"]);

    // Nothing changed: the index is read, nothing else. No validator is stored yet (all.zip was read), so the
    // request is unconditional and answered 200 with nothing newer than the cursor; its validators are kept.
    feed.requests.length = 0;
    feed.exchanges.length = 0;
    expect(await sync()).toMatchObject({ status: "done", ecosystems: [{ mode: "incremental", outcome: "unchanged", downloaded: 0 }] });
    expect(feed.requests).toEqual(["/npm/modified_id.csv"]);
    const [unconditional] = feed.exchanges;
    expect(unconditional?.status).toBe(200);
    expect(unconditional?.headers["if-none-match"]).toBeUndefined();
    expect(unconditional?.headers["if-modified-since"]).toBeUndefined();
    const [afterIndex] = await listAdvisorySyncStates(db);
    expect(afterIndex).toMatchObject({ lastOutcome: "unchanged", indexLastModified: "Fri, 01 Mar 2024 00:00:00 GMT" });
    expect(afterIndex?.indexEtag).toMatch(/^".+"$/);

    // The same index again: a conditional request with the stored validators, answered 304.
    feed.requests.length = 0;
    feed.exchanges.length = 0;
    expect(await sync()).toMatchObject({ ecosystems: [{ outcome: "unchanged", downloaded: 0 }] });
    expect(feed.exchanges).toEqual([
      {
        path: "/npm/modified_id.csv",
        headers: expect.objectContaining({ "if-none-match": afterIndex?.indexEtag, "if-modified-since": afterIndex?.indexLastModified }),
        status: 304,
      },
    ]);
    expect(await listAdvisorySyncStates(db)).toMatchObject([
      { lastOutcome: "unchanged", indexEtag: afterIndex?.indexEtag, indexLastModified: afterIndex?.indexLastModified },
    ]);

    // Added, modified and withdrawn advisories: only those are downloaded, and the event names exactly their packages.
    feed.put(
      npmAdvisory("GHSA-dddd", "axios", "1.6.0", "2024-04-01T00:00:00Z"),
      npmAdvisory("GHSA-aaaa", "lodash", "4.17.22", "2024-04-02T00:00:00Z"),
      npmAdvisory("GHSA-bbbb", "minimist", "1.2.6", "2024-04-03T00:00:00Z", { withdrawn: "2024-04-03T00:00:00Z" }),
    );
    feed.requests.length = 0;
    const eventsBefore = (await updatedEvents()).length;
    const third = await sync();
    expect(third).toMatchObject({ ecosystems: [{ mode: "incremental", outcome: "ok", downloaded: 3, imported: 3 }] });
    expect(feed.requests.filter((p) => p.endsWith(".json")).sort()).toEqual([
      "/npm/GHSA-aaaa.json",
      "/npm/GHSA-bbbb.json",
      "/npm/GHSA-dddd.json",
    ]);
    expect((await updatedEvents()).slice(eventsBefore)).toEqual([["axios", "lodash", "minimist"]]);
    expect(await countAdvisories(db)).toBe(4);
    const [state] = await listAdvisorySyncStates(db);
    expect(state).toMatchObject({ ecosystem: "npm", lastOutcome: "ok", lastChanged: 3, cursorModified: "2024-04-03T00:00:00.000Z" });
  });

  it("reads all.zip again when the ecosystem's advisories were deleted but its sync state was kept", async () => {
    expect(await sync()).toMatchObject({ ecosystems: [{ mode: "full", imported: 3 }] });
    await db.deleteFrom("advisory_packages").execute();
    await db.deleteFrom("advisories").execute();
    feed.requests.length = 0;
    expect(await sync()).toMatchObject({ ecosystems: [{ mode: "full", outcome: "ok", imported: 3 }] });
    expect(feed.requests).toEqual(["/npm/all.zip"]);
    expect(await countAdvisories(db)).toBe(3);
  });

  it("leaves the stored advisories and the cursor as they were when the feed fails, and reports it", async () => {
    feed.faults.set("/npm/all.zip", "corrupt");
    expect(await sync()).toMatchObject({ ecosystems: [{ outcome: "failed", error: expect.stringMatching(/zip/) }] });
    expect(await countAdvisories(db)).toBe(0);
    expect(await listAdvisorySyncStates(db)).toMatchObject([{ lastOutcome: "failed", cursorModified: null }]);

    feed.faults.clear();
    expect(await sync()).toMatchObject({ ecosystems: [{ mode: "full", outcome: "ok", imported: 3 }] });

    // One advisory of two fails (a 500 through every retry): neither is stored, the cursor stays.
    feed.put(
      npmAdvisory("GHSA-dddd", "axios", "1.6.0", "2024-04-01T00:00:00Z"),
      npmAdvisory("GHSA-eeee", "qs", "6.10.3", "2024-04-02T00:00:00Z"),
    );
    feed.faults.set("/npm/GHSA-eeee.json", "500");
    feed.requests.length = 0;
    expect(await sync()).toMatchObject({ ecosystems: [{ outcome: "failed", error: expect.stringMatching(/HTTP 500/) }] });
    expect(feed.requests.filter((p) => p === "/npm/GHSA-eeee.json")).toHaveLength(2);
    expect(await countAdvisories(db)).toBe(3);
    expect(await listAdvisorySyncStates(db)).toMatchObject([{ lastOutcome: "failed", cursorModified: "2024-03-01T00:00:00.000Z" }]);

    // A server that does not answer in time fails the same way.
    feed.faults.set("/npm/GHSA-eeee.json", "slow");
    expect(await sync({ timeoutMs: 200, retries: 0 })).toMatchObject({
      ecosystems: [{ outcome: "failed", error: expect.stringMatching(/no answer within 200 ms/) }],
    });
    expect(await countAdvisories(db)).toBe(3);

    // Once the feed recovers, the next sync catches up.
    feed.faults.clear();
    expect(await sync()).toMatchObject({ ecosystems: [{ outcome: "ok", downloaded: 2, imported: 2 }] });
    expect(await countAdvisories(db)).toBe(5);
  });

  it("runs one sync at a time: a second one started meanwhile reports busy and does nothing", async () => {
    feed.faults.set("/npm/all.zip", "slow");
    const slow = sync({ timeoutMs: 10_000, retries: 0 });
    // Wait until the first one holds the lock and is downloading.
    while (!feed.requests.includes("/npm/all.zip")) await new Promise((r) => setTimeout(r, 20));
    const other = createDb(createPool({ connectionString: database.url, max: 2 }));
    try {
      expect(await syncAdvisoryFeed({ db: other, baseUrl: feed.url, ecosystems: ["npm"] })).toEqual({ status: "busy" });
    } finally {
      await other.destroy();
    }
    expect(feed.requests).toEqual(["/npm/all.zip"]);
    await slow;
    expect(feed.maxActive).toBe(1);
  });

  it("goes through HTTPS_PROXY / HTTP_PROXY unless NO_PROXY names the feed, and fails (never bypasses) when the proxy is down", async () => {
    const tunnel = await ConnectProxy.start();
    try {
      const feedHost = new URL(feed.url).host;
      // First sync (all.zip) and an incremental one (modified_id.csv, then each changed advisory), both tunnelled.
      expect(await sync({ proxy: { httpProxy: tunnel.url } })).toMatchObject({
        ecosystems: [{ mode: "full", outcome: "ok", imported: 3 }],
      });
      feed.put(npmAdvisory("GHSA-dddd", "axios", "1.6.0", "2024-04-01T00:00:00Z"));
      expect(await sync({ proxy: { httpProxy: tunnel.url } })).toMatchObject({
        ecosystems: [{ mode: "incremental", outcome: "ok", downloaded: 1 }],
      });
      expect(tunnel.targets.length).toBeGreaterThan(0);
      expect(new Set(tunnel.targets)).toEqual(new Set([feedHost]));

      // NO_PROXY naming the feed's host goes direct; an HTTPS-only proxy leaves a plain-HTTP feed direct.
      tunnel.targets.length = 0;
      feed.put(npmAdvisory("GHSA-eeee", "qs", "6.10.3", "2024-04-02T00:00:00Z"));
      const bypass = { httpProxy: tunnel.url, noProxy: `example.com,${new URL(feed.url).hostname}` };
      expect(await sync({ proxy: bypass })).toMatchObject({ ecosystems: [{ outcome: "ok", downloaded: 1 }] });
      feed.put(npmAdvisory("GHSA-ffff", "ws", "8.17.1", "2024-04-03T00:00:00Z"));
      expect(await sync({ proxy: { httpsProxy: tunnel.url } })).toMatchObject({ ecosystems: [{ outcome: "ok", downloaded: 1 }] });
      expect(tunnel.targets).toEqual([]);

      // A proxy that is down fails the sync like an unreachable feed: recorded, the stored advisories kept.
      feed.put(npmAdvisory("GHSA-gggg", "tar", "6.2.1", "2024-04-04T00:00:00Z"));
      feed.requests.length = 0;
      const down = `http://127.0.0.1:${await freePort()}`;
      expect(await sync({ proxy: { httpProxy: down } })).toMatchObject({ ecosystems: [{ outcome: "failed" }] });
      expect(feed.requests).toEqual([]);
      expect(await countAdvisories(db)).toBe(6);
      expect(await listAdvisorySyncStates(db)).toMatchObject([{ lastOutcome: "failed" }]);
    } finally {
      await tunnel.stop();
    }
  });
});
