import { uniqueId } from "@secapi/testing";
import { afterAll, describe, expect, it } from "vitest";
import { PgListener, createDb, createPool, notifyChannel, pingDatabase } from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db, database } = fixture;
afterAll(() => fixture.close());

describe("pingDatabase", () => {
  it("resolves while Postgres answers and rejects once the pool cannot reach it", async () => {
    await expect(pingDatabase(db)).resolves.toBeUndefined();
    const unreachable = createDb(
      createPool({ connectionString: "postgres://postgres@127.0.0.1:1/none", max: 1, connectionTimeoutMs: 1000 }),
    );
    try {
      await expect(pingDatabase(unreachable)).rejects.toThrow();
    } finally {
      await unreachable.destroy();
    }
  });
});

describe("notifyChannel", () => {
  it("reaches a listener of the channel, and from a transaction only once it commits", async () => {
    const channel = uniqueId("notify_test").replace(/[^a-z0-9_]/gi, "_");
    const listener = new PgListener({ connectionString: database.url, logger: { warn: () => undefined } });
    const heard: string[] = [];
    listener.subscribe(channel, (payload) => heard.push(payload));
    await listener.start();
    try {
      await notifyChannel(db, channel, "direct");
      await expect.poll(() => heard, { timeout: 10_000 }).toEqual(["direct"]);

      await db.transaction().execute(async (tx) => {
        await notifyChannel(tx, channel, "in-transaction");
        // Delivered at commit: a listener hears nothing while the transaction is open.
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(heard).toEqual(["direct"]);
      });
      await expect.poll(() => heard, { timeout: 10_000 }).toEqual(["direct", "in-transaction"]);
    } finally {
      await listener.close();
    }
  });
});
