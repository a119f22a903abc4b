import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { Redis } from "ioredis";
import pg from "pg";
import { TEST_POSTGRES_URL, TEST_REDIS_URL, withDatabase } from "./services.js";
import { REPO_ROOT, templateDatabaseName } from "./template-database.js";
import { sweepStaleTestDatabases, withAdmin } from "./test-database.js";

async function checkPostgres(): Promise<void> {
  try {
    await withAdmin((client) => client.query("SELECT 1"));
  } catch (error) {
    throw new Error(
      `Integration tests need PostgreSQL at ${TEST_POSTGRES_URL} (set TEST_POSTGRES_URL to change it): ${(error as Error).message}`,
    );
  }
}

async function checkRedis(): Promise<void> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(`Integration tests need Redis at ${TEST_REDIS_URL} (set TEST_REDIS_URL to change it): ${(error as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

/** Builds the migrated template once per migration set, with the real CLI, under a lock shared by concurrent runs. */
async function ensureTemplate(): Promise<void> {
  const template = templateDatabaseName();
  const cli = `${REPO_ROOT}apps/cli/dist/main.js`;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run \`pnpm build\` (pnpm test does) before the tests`);
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query("SELECT pg_advisory_lock(hashtext('secapi-test-template'))");
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [template]);
    if (found.rowCount) return;
    const building = `${template}_building`;
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(building)} WITH (FORCE)`);
    execFileSync(process.execPath, [cli, "migrate"], {
      env: { ...process.env, DATABASE_URL: withDatabase(TEST_POSTGRES_URL, building), LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    // Renamed only when complete, so a half-migrated template is never cloned.
    await client.query(`ALTER DATABASE ${pg.escapeIdentifier(building)} RENAME TO ${pg.escapeIdentifier(template)}`);
  } finally {
    await client.query("SELECT pg_advisory_unlock(hashtext('secapi-test-template'))");
    await client.end();
  }
}

export default async function setup(): Promise<void> {
  await Promise.all([checkPostgres(), checkRedis()]);
  await ensureTemplate();
  await sweepStaleTestDatabases(3 * 3600);
}
