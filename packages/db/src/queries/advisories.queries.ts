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
  // LATERAL: one primary-key range scan of advisory_packages per wanted package (a hash join would read the
  // whole table on every lookup, so the cost would grow with the advisory database instead of with the input).
  const { rows } = await sql<{ revision: string; data: unknown }>`
    WITH wanted AS (
      SELECT a.data
      FROM advisories a
      WHERE (a.withdrawn IS NULL OR a.withdrawn > now())
        AND a.id IN (
          SELECT p.advisory_id
          FROM unnest(${packages.map((p) => p.ecosystem)}::text[], ${packages.map((p) => p.name)}::text[]) AS w(ecosystem, name)
          CROSS JOIN LATERAL (
            SELECT advisory_id FROM advisory_packages p WHERE p.ecosystem = w.ecosystem AND p.name = w.name
          ) p
        )
    )
    SELECT r.revision, w.data
    FROM advisory_revision r
    LEFT JOIN wanted w ON true
  `.execute(db);
  return { revision: Number(rows[0]?.revision ?? 0), advisories: rows.flatMap((r) => (r.data === null ? [] : [r.data])) };
}

/** A package whose advisories the caller may hold already, as of `knownRevision` (null: holds none). */
export interface KnownPackage extends PackageKey {
  /** Its result tag (`pkg:<ecosystem>/<name>`), under which imports record that its advisories changed. */
  tag: string;
  knownRevision: number | null;
}

/** What findAdvisoryChanges read, in one snapshot. */
export interface AdvisoryChanges {
  revision: number;
  /**
   * Every package the caller did not hold, or whose advisories changed after its `knownRevision`, with all its
   * advisories' stored data (withdrawn ones excluded; an empty list when it has none), by `ecosystem\0name`.
   */
  refreshed: Map<string, unknown[]>;
}

/**
 * The advisory revision and, in the same statement (one snapshot), the advisories of the packages the caller
 * does not hold current copies of: a package is read again when it is new to the caller or an import recorded
 * a change to it (advisory_package_revisions) after the caller's copy. Everything is found by index, per package.
 */
export async function findAdvisoryChanges(db: DbExecutor, packages: readonly KnownPackage[]): Promise<AdvisoryChanges> {
  const { rows } = await sql<{ revision: string; ecosystem: string | null; name: string | null; data: unknown }>`
    WITH stale AS (
      SELECT w.ecosystem, w.name
      FROM unnest(
        ${packages.map((p) => p.ecosystem)}::text[],
        ${packages.map((p) => p.name)}::text[],
        ${packages.map((p) => p.tag)}::text[],
        ${packages.map((p) => (p.knownRevision === null ? null : String(p.knownRevision)))}::bigint[]
      ) AS w(ecosystem, name, tag, known)
      WHERE w.known IS NULL
        OR EXISTS (SELECT 1 FROM advisory_package_revisions c WHERE c.tag = w.tag AND c.revision > w.known)
    ),
    found AS (
      SELECT s.ecosystem, s.name, a.data
      FROM stale s
      LEFT JOIN LATERAL (
        SELECT a.data
        FROM advisory_packages p
        JOIN advisories a ON a.id = p.advisory_id
        WHERE p.ecosystem = s.ecosystem AND p.name = s.name AND (a.withdrawn IS NULL OR a.withdrawn > now())
      ) a ON true
    )
    SELECT r.revision, f.ecosystem, f.name, f.data
    FROM advisory_revision r
    LEFT JOIN found f ON true
  `.execute(db);
  const refreshed = new Map<string, unknown[]>();
  for (const row of rows) {
    if (row.ecosystem === null || row.name === null) continue;
    const key = `${row.ecosystem}\0${row.name}`;
    let list = refreshed.get(key);
    if (!list) refreshed.set(key, (list = []));
    if (row.data !== null) list.push(row.data);
  }
  return { revision: Number(rows[0]?.revision ?? 0), refreshed };
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
