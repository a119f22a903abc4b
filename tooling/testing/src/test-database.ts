import pg from "pg";
import { TEST_POSTGRES_URL, withDatabase } from "./services.js";
import { templateDatabaseName } from "./template-database.js";
import { uniqueId } from "./unique-id.js";

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A fresh, migrated database of its own, cloned from the template the global setup built.
 * The name carries its creation time so the global setup can sweep ones a crashed run left behind.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `secapi_t_${Math.floor(Date.now() / 1000)}_${uniqueId("")}`;
  const template = templateDatabaseName();
  await withAdmin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`);
        return;
      } catch (error) {
        // Cloning fails while another session is connected to the template (e.g. a concurrent clone's check).
        if (attempt >= 20 || (error as { code?: string }).code !== "55006") throw error;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  });
  return {
    name,
    url: withDatabase(TEST_POSTGRES_URL, name),
    drop: () => dropDatabase(name),
  };
}

/** Drops a database, disconnecting whoever is still connected. */
export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Drops test databases older than `maxAgeSeconds` (left by crashed runs). */
export async function sweepStaleTestDatabases(maxAgeSeconds: number): Promise<void> {
  const { rows } = await withAdmin((client) =>
    client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'secapi\\_t\\_%'"),
  );
  const now = Date.now() / 1000;
  for (const { datname } of rows) {
    const created = Number(datname.split("_")[2]);
    if (Number.isFinite(created) && now - created > maxAgeSeconds) await dropDatabase(datname);
  }
}

export { withAdmin };
