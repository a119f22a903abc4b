import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type Migration, type MigrationProvider, type MigrationResultSet, Migrator, sql } from "kysely";
import type { Db } from "./schema/database.js";

/** Where the SQL files live; resolved from this module so that it works from src and dist alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../migrations", import.meta.url));

/** Reads `<name>.up.sql` / `<name>.down.sql` pairs; kysely runs each in a transaction and records it. */
export class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string = MIGRATIONS_DIR) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = await readdir(this.dir);
    const migrations: Record<string, Migration> = {};
    for (const file of files.filter((f) => f.endsWith(".up.sql")).sort()) {
      const name = file.slice(0, -".up.sql".length);
      const up = await readFile(`${this.dir}/${file}`, "utf8");
      const downFile = `${name}.down.sql`;
      const down = files.includes(downFile) ? await readFile(`${this.dir}/${downFile}`, "utf8") : undefined;
      migrations[name] = {
        up: async (db) => {
          await sql.raw(up).execute(db);
        },
        ...(down !== undefined && {
          down: async (db) => {
            await sql.raw(down).execute(db);
          },
        }),
      };
    }
    return migrations;
  }
}

export class MigrationFailedError extends Error {
  readonly code = "migration_failed";
  constructor(
    readonly migration: string | undefined,
    cause: unknown,
  ) {
    super(`Migration ${migration ?? "(unknown)"} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "MigrationFailedError";
  }
}

function unwrap({ error, results }: MigrationResultSet): string[] {
  if (error) throw new MigrationFailedError(results?.find((r) => r.status === "Error")?.migrationName, error);
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: new SqlFileMigrationProvider() });
}

/** Applies every pending migration; returns the names applied. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  return unwrap(await migrator(db).migrateToLatest());
}

/** Reverts the latest migration; returns the names reverted. */
export async function migrateDown(db: Db): Promise<string[]> {
  return unwrap(await migrator(db).migrateDown());
}
