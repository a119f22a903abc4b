import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestPostgresServer } from "./postgres-server.js";

let server: TestPostgresServer;
beforeAll(async () => {
  server = await TestPostgresServer.create();
});
afterAll(() => server.destroy());

describe("a private Postgres cluster", () => {
  it("answers, drops its connections when stopped, refuses new ones, and comes back with its data", async () => {
    const client = new pg.Client({ connectionString: server.url() });
    await client.connect();
    await client.query("CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)");
    const dropped = new Promise<Error>((resolve) => client.on("error", resolve));
    await server.stop();
    expect((await dropped).message).toMatch(/terminat/i);
    const refused = new pg.Client({ connectionString: server.url() });
    await expect(refused.connect()).rejects.toMatchObject({ code: "ECONNREFUSED" });
    await server.start();
    const again = new pg.Client({ connectionString: server.url() });
    await again.connect();
    expect((await again.query("SELECT n FROM kept")).rows).toEqual([{ n: 42 }]);
    await again.end();
  });
});
