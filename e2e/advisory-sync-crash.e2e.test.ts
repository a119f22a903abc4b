import { FeedServer, npmAdvisory, waitFor } from "@secapi/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

// Issue 17: "a crash mid-sync (kill the worker) leaves consistent data and the next sync completes". The feed sync
// runs in the cache-worker; it is killed with SIGKILL while its transaction has written the changed advisories but
// not committed them (held there by a lock on the advisory revision row), and a new cache-worker takes the
// interrupted sync up again and completes it.

let feed: FeedServer;
let stack: Stack;
let db: pg.Client;

beforeAll(async () => {
  feed = await new FeedServer().start();
  feed.put(
    npmAdvisory("GHSA-crash-mod", "crash-is-odd", "2.0.0", "2024-01-01T00:00:00Z"),
    npmAdvisory("GHSA-crash-old", "crash-left-pad", "1.0.0", "2024-01-02T00:00:00Z"),
    npmAdvisory("GHSA-crash-wdr", "crash-pad-right", "3.0.0", "2024-01-03T00:00:00Z"),
  );
  // An hourly schedule: after the crash no scheduled run comes within the test, only the interrupted one taken up again.
  stack = await Stack.create({ ADVISORY_SYNC_URL: feed.url, ADVISORY_SOURCES: "npm", ADVISORY_SYNC_INTERVAL: "3600" });
  db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await stack?.close();
  await feed?.stop();
});

/** Everything the advisory tables hold, as comparable rows. */
async function advisoryTables() {
  const query = async (text: string) => (await db.query(text)).rows;
  return {
    advisories: await query("SELECT id, modified, withdrawn, data::text FROM advisories ORDER BY id"),
    packages: await query("SELECT advisory_id, ecosystem, name FROM advisory_packages ORDER BY 1, 2, 3"),
    revision: await query("SELECT revision FROM advisory_revision"),
    packageRevisions: await query("SELECT tag, revision FROM advisory_package_revisions ORDER BY tag"),
    syncState: await query("SELECT * FROM advisory_sync_state ORDER BY ecosystem"),
    updatedEvents: await query("SELECT payload FROM outbox WHERE job_name = 'advisories.updated' ORDER BY id"),
  };
}

describe("a cache-worker killed with SIGKILL mid-sync", () => {
  it("leaves the advisories as the last sync left them, and the next cache-worker completes the sync", async () => {
    // The previous sync: the feed as it was, stored by hand.
    await stack.cli("advisories", "sync");
    const before = await advisoryTables();
    expect(before.advisories).toHaveLength(3);
    expect(before.syncState).toMatchObject([{ ecosystem: "npm", last_outcome: "ok" }]);

    // The feed changes: one advisory modified, one withdrawn, one added.
    feed.put(
      npmAdvisory("GHSA-crash-mod", "crash-is-odd", "2.1.0", "2024-05-01T00:00:00Z"),
      npmAdvisory("GHSA-crash-wdr", "crash-pad-right", "3.0.0", "2024-05-02T00:00:00Z", { withdrawn: "2024-05-02T00:00:00Z" }),
      npmAdvisory("GHSA-crash-new", "crash-is-even", "1.5.0", "2024-05-03T00:00:00Z"),
    );
    feed.exchanges.length = 0;

    const blocker = new pg.Client({ connectionString: stack.database.url });
    await blocker.connect();
    try {
      await blocker.query("BEGIN");
      await blocker.query("SELECT revision FROM advisory_revision FOR UPDATE");
      // A new scheduler runs at once: the sync downloads the changes, writes them, then waits for the revision row.
      const { worker } = await stack.startCacheWorker();
      const syncBackend = await waitFor(
        async () => {
          const { rows } = await db.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND query ILIKE '%advisory_revision%'`,
          );
          return rows[0]?.pid;
        },
        { timeoutMs: 120_000, what: `the sync's transaction to wait on the advisory revision\n${stack.logs()}` },
      );
      // Mid-sync for certain: the changes are downloaded and the transaction has written advisory rows.
      expect(feed.exchanges.map((e) => e.path).sort()).toEqual([
        "/npm/GHSA-crash-mod.json",
        "/npm/GHSA-crash-new.json",
        "/npm/GHSA-crash-wdr.json",
        "/npm/modified_id.csv",
      ]);
      const { rows: held } = await db.query(
        "SELECT mode FROM pg_locks WHERE pid = $1 AND relation = 'advisories'::regclass AND mode = 'RowExclusiveLock'",
        [syncBackend],
      );
      expect(held).toHaveLength(1);

      await worker.stop("SIGKILL");
      await blocker.query("ROLLBACK");
      // The orphaned transaction goes on until it finds its client gone; then it rolls back.
      await waitFor(async () => (await db.query("SELECT 1 FROM pg_stat_activity WHERE pid = $1", [syncBackend])).rowCount === 0, {
        what: "the killed sync's backend to end",
      });
    } finally {
      await blocker.end();
    }

    // Nothing of the interrupted sync: no partial rows, no new revision, no event, and no claim of success.
    expect(await advisoryTables()).toEqual(before);

    // A new cache-worker takes the interrupted sync up (its lock lapsed) and completes it.
    await stack.startCacheWorker();
    await waitFor(
      async () => {
        const { rows } = await db.query("SELECT last_success_at FROM advisory_sync_state WHERE ecosystem = 'npm'");
        return rows[0]?.last_success_at > before.syncState[0].last_success_at;
      },
      { timeoutMs: 120_000, what: `the next sync to complete\n${stack.logs()}` },
    );
    const after = await advisoryTables();
    expect(after.syncState).toMatchObject([{ last_outcome: "ok", last_changed: 3, cursor_modified: new Date("2024-05-03T00:00:00Z") }]);
    expect(after.advisories.map((a) => [a.id, a.modified.toISOString(), a.withdrawn?.toISOString() ?? null])).toEqual([
      ["GHSA-crash-mod", "2024-05-01T00:00:00.000Z", null],
      ["GHSA-crash-new", "2024-05-03T00:00:00.000Z", null],
      ["GHSA-crash-old", "2024-01-02T00:00:00.000Z", null],
      ["GHSA-crash-wdr", "2024-05-02T00:00:00.000Z", "2024-05-02T00:00:00.000Z"],
    ]);
    expect(Number(after.revision[0].revision)).toBe(Number(before.revision[0].revision) + 1);
    // One advisories.updated, naming exactly the changed packages.
    expect(after.updatedEvents.slice(before.updatedEvents.length).map((r) => r.payload.data)).toEqual([
      { ecosystem: "npm", packages: ["crash-is-even", "crash-is-odd", "crash-pad-right"] },
    ]);
  });
});
