import pg from "pg";

const DUPLICATE_DATABASE = "42P04";

function databaseName(connectionString: string): string {
  const name = decodeURIComponent(new URL(connectionString).pathname.replace(/^\//, ""));
  if (!name) throw new Error(`DATABASE_URL names no database: ${connectionString}`);
  return name;
}

/** Creates the database named in the URL if it does not exist; returns true if it created it. */
export async function ensureDatabaseExists(connectionString: string): Promise<boolean> {
  const name = databaseName(connectionString);
  const adminUrl = new URL(connectionString);
  adminUrl.pathname = "/postgres";
  const client = new pg.Client({ connectionString: adminUrl.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
      return true;
    } catch (error) {
      // Two processes starting at once both saw it missing; the loser is fine.
      if ((error as { code?: string }).code === DUPLICATE_DATABASE) return false;
      throw error;
    }
  } finally {
    await client.end();
  }
}
