import type { Config } from "@secapi/config";
import { ensureBootstrapAdmin } from "@secapi/core";
import { ensureDatabaseExists, migrateToLatest } from "@secapi/db";
import { withDb } from "../database.js";

/** Creates the database if needed, applies pending migrations and the bootstrap admin. */
export async function migrate(config: Config): Promise<void> {
  if (await ensureDatabaseExists(config.databaseUrl)) {
    console.log(`Created database ${new URL(config.databaseUrl).pathname.slice(1)}`);
  }
  await withDb(config, async (db) => {
    const applied = await migrateToLatest(db);
    console.log(applied.length ? `Applied ${applied.length} migration(s): ${applied.join(", ")}` : "Database is up to date");
    if (config.bootstrapAdminKey) {
      const admin = await ensureBootstrapAdmin(db, config.bootstrapAdminKey);
      if (admin.created) console.log(`Created bootstrap admin ${admin.userId}`);
    }
  });
}
