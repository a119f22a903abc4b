import { type RawBuilder, sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";

/** `NOTIFY` channel of an import that changed advisories; the payload is the new revision. */
export const ADVISORIES_CHANGED_CHANNEL = "advisories_changed";

/** SQL text reading the revision, for a connection outside kysely (the LISTEN one). */
export const currentAdvisoryRevisionQuery = "SELECT revision FROM advisory_revision";

/** The advisory database's current revision. */
export async function currentAdvisoryRevision(db: DbExecutor): Promise<number> {
  const row = await db.selectFrom("advisory_revision").select("revision").executeTakeFirstOrThrow();
  return Number(row.revision);
}

/**
 * Records, in the import's transaction, that the advisories of these packages (by result tag) changed: the
 * revision goes up by one, each tag is stamped with it, and listeners are told at commit. Imports serialise on
 * the revision row, so revisions are assigned in commit order. Returns the new revision.
 */
export async function recordAdvisoryChange(tx: DbExecutor, tags: readonly string[]): Promise<number> {
  const { revision } = await tx
    .updateTable("advisory_revision")
    .set({ revision: sql<string>`revision + 1` })
    .returning("revision")
    .executeTakeFirstOrThrow();
  if (tags.length > 0) {
    await sql`
      INSERT INTO advisory_package_revisions (tag, revision)
      SELECT tag, ${revision}::bigint FROM unnest(${[...new Set(tags)]}::text[]) AS changed(tag)
      ON CONFLICT (tag) DO UPDATE SET revision = excluded.revision
    `.execute(tx);
  }
  await sql`SELECT pg_notify(${ADVISORIES_CHANGED_CHANNEL}, ${revision}::text)`.execute(tx);
  return Number(revision);
}

/** Whether any of these tags' advisories changed after `revision` (a result computed then is no longer current). */
export async function changedSince(db: DbExecutor, tags: readonly string[], revision: number): Promise<boolean> {
  if (tags.length === 0) return false;
  const { rows } = await sql<{ changed: boolean }>`
    SELECT EXISTS (
      SELECT 1 FROM advisory_package_revisions
      WHERE tag = ANY(${[...tags]}::text[]) AND revision > ${revision}::bigint
    ) AS changed
  `.execute(db);
  return rows[0]?.changed ?? false;
}

/**
 * SQL: whether the `scan_results` row under `alias` is current — `valid_until` not passed, and no package among
 * its tags had an advisory change after the revision it was computed against. The revision comparison first:
 * a result computed at the current revision needs no tag lookups.
 */
export function resultIsCurrent(alias = "scan_results"): RawBuilder<boolean> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return sql<boolean>`(
    (${column("valid_until")} IS NULL OR ${column("valid_until")} > now())
    AND CASE
      WHEN ${column("advisory_revision")} >= (SELECT revision FROM advisory_revision) THEN true
      ELSE NOT EXISTS (
        SELECT 1 FROM advisory_package_revisions changed
        WHERE changed.tag = ANY(${column("tags")}) AND changed.revision > ${column("advisory_revision")}
      )
    END
  )`;
}

/** SQL: the advisory revision as of the statement's snapshot, to stamp what a query verified as current. */
export function advisoryRevisionNow(): RawBuilder<string> {
  return sql<string>`(SELECT revision FROM advisory_revision)`;
}
