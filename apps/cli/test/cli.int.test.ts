import { hashApiKey } from "@secapi/core";
import { type Db, createDb, createPool } from "@secapi/db";
import { type TestDatabase, createTestDatabase, dropDatabase, uniqueId, withDatabase, TEST_POSTGRES_URL } from "@secapi/testing";
import { CLI_TIMEOUT_MS, secapi } from "./cli-fixture.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 2 }));
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

describe("pnpm secapi", { timeout: CLI_TIMEOUT_MS }, () => {
  it("migrate creates a missing database, migrates it, and bootstraps the admin key", async () => {
    const name = `secapi_t_${Math.floor(Date.now() / 1000)}_${uniqueId("cli")}`;
    const url = withDatabase(TEST_POSTGRES_URL, name);
    const bootstrapKey = `sk_${"b".repeat(40)}`;
    try {
      const first = await secapi({ DATABASE_URL: url, BOOTSTRAP_ADMIN_KEY: bootstrapKey }, "migrate");
      expect(first.code).toBe(0);
      expect(first.stdout).toContain(`Created database ${name}`);
      expect(first.stdout).toMatch(/Applied \d+ migration\(s\): 20261121000000_initial/);
      expect(first.stdout).toContain("Created bootstrap admin");
      const again = await secapi({ DATABASE_URL: url, BOOTSTRAP_ADMIN_KEY: bootstrapKey }, "migrate");
      expect(again.stdout).toContain("Database is up to date");
      expect(again.stdout).not.toContain("Created");

      const other = createDb(createPool({ connectionString: url, max: 1 }));
      try {
        const admin = await other
          .selectFrom("api_keys")
          .innerJoin("users", "users.id", "api_keys.user_id")
          .select(["users.role", "users.tier"])
          .where("api_keys.key_hash", "=", hashApiKey(bootstrapKey))
          .execute();
        expect(admin).toEqual([{ role: "admin", tier: "business" }]);
      } finally {
        await other.destroy();
      }
    } finally {
      await dropDatabase(name);
    }
  });

  it("users create --json prints the id and a working key, stored only as its hash", async () => {
    const created = await secapi(
      { DATABASE_URL: database.url },
      "users",
      "create",
      "--email",
      "cli@example.com",
      "--tier",
      "starter",
      "--admin",
      "--json",
    );
    expect(created.code).toBe(0);
    const user = JSON.parse(created.stdout);
    expect(user).toMatchObject({ email: "cli@example.com", tier: "starter", role: "admin" });
    expect(user.api_key).toMatch(/^sk_/);
    const key = await db.selectFrom("api_keys").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(key.key_hash).toBe(hashApiKey(user.api_key));
  });

  it("users create without --json prints the id and the key for a human", async () => {
    const created = await secapi({ DATABASE_URL: database.url }, "users", "create", "--email", "human@example.com", "--tier", "free");
    expect(created.stdout).toMatch(/Created user [0-9a-f-]{36} <human@example.com> on tier free/);
    expect(created.stdout).toMatch(/API key \(shown once.*\): sk_/);
  });

  it("users set-tier changes the tier and emits user.tier_changed", async () => {
    const user = JSON.parse(
      (await secapi({ DATABASE_URL: database.url }, "users", "create", "--email", "t@example.com", "--tier", "free", "--json")).stdout,
    );
    const changed = await secapi({ DATABASE_URL: database.url }, "users", "set-tier", user.id, "business");
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain("is now on tier business");
    expect((await db.selectFrom("users").select("tier").where("id", "=", user.id).executeTakeFirstOrThrow()).tier).toBe("business");
    const events = await db.selectFrom("outbox").select(["job_name", "payload"]).where("job_name", "=", "user.tier_changed").execute();
    expect(events.map((e) => (e.payload as { data: unknown }).data)).toContainEqual({ userId: user.id, from: "free", to: "business" });
  });

  it("refuses bad arguments with a message and a non-zero exit", async () => {
    const badTier = await secapi({ DATABASE_URL: database.url }, "users", "create", "--email", "x@example.com", "--tier", "gold");
    expect(badTier.code).not.toBe(0);
    expect(badTier.stderr).toContain("gold");
    const badId = await secapi({ DATABASE_URL: database.url }, "users", "set-tier", "nope", "pro");
    expect(badId.code).not.toBe(0);
    expect(badId.stderr).toContain("UUID");
    const missing = await secapi({ DATABASE_URL: database.url }, "users", "set-tier", "0b0e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a", "pro");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("no user with id");
    const duplicate = await secapi({ DATABASE_URL: database.url }, "users", "create", "--email", "CLI@example.com", "--tier", "free");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("already exists");
    const badEnv = await secapi({ DATABASE_URL: "mysql://nope" }, "migrate");
    expect(badEnv.code).toBe(1);
    expect(badEnv.stderr).toContain("DATABASE_URL");
  });
});
