import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";

export interface PackageKey {
  ecosystem: string;
  name: string;
}

export interface AdvisoryRecord {
  id: string;
  modified: string;
  withdrawn?: string | undefined;
  /** The normalised advisory as JSON text, stored as is. */
  data: string;
  /** The version of the parser that prepared `data`; a newer one replaces an older one's copy of the same `modified`. */
  parserVersion?: number;
  packages: PackageKey[];
}

export interface UpsertAdvisoriesResult {
  /** Advisories written (new, or newer than the stored copy). */
  written: number;
  /** Older or equal copies left alone. */
  skipped: number;
  /** Every package whose advisories changed: the ones the written advisories name now and named before. */
  affected: PackageKey[];
}

const BATCH = 500;

/**
 * Upserts advisories by id: a newer `modified`, or the same one prepared by a newer parser, replaces the stored
 * copy (and its package rows); anything else is skipped. Runs in the caller's transaction so the matching `advisories.updated` events commit
 * with it.
 */
export async function upsertAdvisories(tx: DbExecutor, records: readonly AdvisoryRecord[]): Promise<UpsertAdvisoriesResult> {
  const affected = new Map<string, PackageKey>();
  const remember = ({ ecosystem, name }: PackageKey) => affected.set(`${ecosystem}\0${name}`, { ecosystem, name });
  let written = 0;
  // Within one import the newest copy of an id wins too.
  const newest = new Map<string, AdvisoryRecord>();
  for (const record of records) {
    const seen = newest.get(record.id);
    if (!seen || Date.parse(record.modified) > Date.parse(seen.modified)) newest.set(record.id, record);
  }
  const unique = [...newest.values()];

  for (let i = 0; i < unique.length; i += BATCH) {
    const batch = unique.slice(i, i + BATCH);
    const changed = await tx
      .insertInto("advisories")
      .values(
        batch.map((r) => ({
          id: r.id,
          modified: r.modified,
          withdrawn: r.withdrawn ?? null,
          data: r.data,
          parser_version: r.parserVersion ?? 1,
        })),
      )
      .onConflict((oc) =>
        oc
          .column("id")
          .doUpdateSet({
            modified: (eb) => eb.ref("excluded.modified"),
            withdrawn: (eb) => eb.ref("excluded.withdrawn"),
            data: (eb) => eb.ref("excluded.data"),
            parser_version: (eb) => eb.ref("excluded.parser_version"),
            imported_at: sql`now()`,
          })
          .where((eb) =>
            eb.or([
              eb("advisories.modified", "<", eb.ref("excluded.modified")),
              eb.and([
                eb("advisories.modified", "=", eb.ref("excluded.modified")),
                eb("advisories.parser_version", "<", eb.ref("excluded.parser_version")),
              ]),
            ]),
          ),
      )
      .returning("id")
      .execute();
    if (changed.length === 0) continue;
    written += changed.length;
    const changedIds = new Set(changed.map((r) => r.id));
    const beforeByChanged = await tx
      .selectFrom("advisory_packages")
      .select(["ecosystem", "name"])
      .where("advisory_id", "in", [...changedIds])
      .execute();
    beforeByChanged.forEach(remember);
    await tx
      .deleteFrom("advisory_packages")
      .where("advisory_id", "in", [...changedIds])
      .execute();
    const rows = batch
      .filter((r) => changedIds.has(r.id))
      .flatMap((r) => r.packages.map((p) => ({ ecosystem: p.ecosystem, name: p.name, advisory_id: r.id })));
    for (const row of rows) remember(row);
    for (let j = 0; j < rows.length; j += BATCH * 4) {
      await tx
        .insertInto("advisory_packages")
        .values(rows.slice(j, j + BATCH * 4))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  }
  return { written, skipped: unique.length - written + (records.length - unique.length), affected: [...affected.values()] };
}

/** The advisories a scan matches against, and the advisory revision they are (one snapshot: one statement). */
export interface AdvisorySnapshot {
  revision: number;
  /** The stored data of every advisory naming any of the packages, except those already withdrawn. */
  advisories: unknown[];
}

/**
 * The advisories that name any of the packages, read with the advisory revision in one statement, so a result
 * computed from them can say which revision it reflects. An advisory withdrawn in the future still applies
 * until then (OSV: withdrawal takes effect from its date); the matcher stops at that date.
 */
export async function findAdvisorySnapshot(db: DbExecutor, packages: readonly PackageKey[]): Promise<AdvisorySnapshot> {
  const { rows } = await sql<{ revision: string; data: unknown }>`
    WITH wanted AS (
      SELECT a.data
      FROM advisories a
      WHERE (a.withdrawn IS NULL OR a.withdrawn > now())
        AND a.id IN (
          SELECT p.advisory_id
          FROM advisory_packages p
          JOIN unnest(${packages.map((p) => p.ecosystem)}::text[], ${packages.map((p) => p.name)}::text[]) AS wanted(ecosystem, name)
            ON p.ecosystem = wanted.ecosystem AND p.name = wanted.name
        )
    )
    SELECT r.revision, w.data
    FROM advisory_revision r
    LEFT JOIN wanted w ON true
  `.execute(db);
  return { revision: Number(rows[0]?.revision ?? 0), advisories: rows.flatMap((r) => (r.data === null ? [] : [r.data])) };
}

/** Advisories (their stored data) that name any of the packages, those already withdrawn excluded. */
export async function findAdvisoriesForPackages(db: DbExecutor, packages: readonly PackageKey[]): Promise<unknown[]> {
  if (packages.length === 0) return [];
  return (await findAdvisorySnapshot(db, packages)).advisories;
}

/** How many advisories are stored (withdrawn included). */
export async function countAdvisories(db: DbExecutor): Promise<number> {
  const row = await db
    .selectFrom("advisories")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** One stored advisory by its id or, failing that, by one of its aliases; with the packages it names. */
export async function findAdvisoryByIdOrAlias(db: DbExecutor, id: string): Promise<{ data: unknown; packages: PackageKey[] } | undefined> {
  const { rows } = await sql<{ id: string; data: unknown }>`
    SELECT id, data FROM advisories
    WHERE id = ${id} OR data -> 'aliases' ? ${id}
    ORDER BY (id = ${id}) DESC, id
    LIMIT 1
  `.execute(db);
  const row = rows[0];
  if (!row) return undefined;
  const packages = await db.selectFrom("advisory_packages").select(["ecosystem", "name"]).where("advisory_id", "=", row.id).execute();
  return { data: row.data, packages };
}
