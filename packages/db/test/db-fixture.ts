import { type TestDatabase, createTestDatabase } from "@secapi/testing";
import { type Db, createDb, createPool } from "../src/index.js";

/** A migrated database of the test's own and a kysely handle on it; `close` drops it. */
export async function openTestDb(): Promise<{ db: Db; database: TestDatabase; close(): Promise<void> }> {
  const database = await createTestDatabase();
  const db = createDb(createPool({ connectionString: database.url, max: 5 }));
  return {
    db,
    database,
    close: async () => {
      await db.destroy();
      await database.drop();
    },
  };
}
