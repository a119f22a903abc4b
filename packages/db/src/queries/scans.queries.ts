import { type ExpressionBuilder, type InsertObject, type Insertable, sql } from "kysely";
import type { Database, DbExecutor } from "../schema/database.js";
import type { OutboxTable } from "../schema/outbox.table.js";
import type { ScanLabels, ScanRow, ScanStatus } from "../schema/scans.table.js";
import { advisoryRevisionNow, resultIsCurrent } from "./advisory-revisions.queries.js";
import type { InputKey } from "./input-key.js";

export const IN_FLIGHT: readonly ScanStatus[] = ["queued", "running"];

export interface NewScan {
  /** Set by the caller so that a new run's job id can include it. */
  id?: string;
  userId: string;
  key: InputKey;
  status: ScanStatus;
  jobId: string | null;
  startedAt?: Date | null;
  cached?: boolean;
  resultId?: string | null;
  /** The submitter's labels; none by default. */
  labels?: ScanLabels;
}

export async function insertScan(db: DbExecutor, scan: NewScan): Promise<ScanRow> {
  const [row] = await insertScans(db, [scan]);
  if (!row) throw new Error("INSERT INTO scans returned no row");
  return row;
}

/**
 * When a scan recorded as completed (answered from a cached result) started and finished: the moment its row is
 * created, by the clock that sets `created_at` (the statement's `now()`, to the millisecond like it), so that
 * `created_at ≤ started_at ≤ completed_at` holds. The API's own clock may be behind Postgres's.
 */
const CREATED_NOW = sql<Date>`date_trunc('milliseconds', now())`;

/** The column values of a new scan. */
function newScanValues(scan: NewScan): InsertObject<Database, "scans"> {
  const done = scan.status === "completed";
  return {
    ...(scan.id !== undefined && { id: scan.id }),
    user_id: scan.userId,
    scan_type: scan.key.scanType,
    status: scan.status,
    input_hash: scan.key.inputHash,
    owner_scoped: scan.key.ownerId !== null,
    job_id: scan.jobId,
    cached: scan.cached ?? false,
    result_id: scan.resultId ?? null,
    labels: JSON.stringify(scan.labels ?? {}),
    error: null,
    error_code: null,
    started_at: scan.startedAt ?? (done ? CREATED_NOW : null),
    completed_at: done ? CREATED_NOW : null,
  };
}

/** Inserts several scans in one statement; the rows come back in the order given. */
export async function insertScans(db: DbExecutor, scans: readonly NewScan[]): Promise<ScanRow[]> {
  if (scans.length === 0) return [];
  const rows = await db
    .insertInto("scans")
    .values(scans.map((scan) => newScanValues(scan)))
    .returningAll()
    .execute();
  return inGivenOrder(scans, rows);
}

/**
 * Scans and the outbox rows that announce them, in one statement: one round trip and atomic by itself (two
 * data-modifying CTEs instead of BEGIN, two INSERTs and COMMIT). The one way a cached scan is written, alone in a
 * submission's transaction or group-committed with others.
 */
export async function insertAnnouncedScans(
  db: DbExecutor,
  scans: readonly NewScan[],
  announcements: readonly Insertable<OutboxTable>[],
): Promise<ScanRow[]> {
  if (scans.length === 0) return [];
  const rows = await db
    .with("created", (db) =>
      db
        .insertInto("scans")
        .values(scans.map((scan) => newScanValues(scan)))
        .returningAll(),
    )
    .with("announced", (db) =>
      db
        .insertInto("outbox")
        .values([...announcements])
        .returning("id"),
    )
    .selectFrom("created")
    .selectAll()
    .execute();
  return inGivenOrder(scans, rows);
}

/** RETURNING follows the VALUES order in Postgres; matching by id makes that no assumption where ids were given. */
function inGivenOrder(scans: readonly NewScan[], rows: ScanRow[]): ScanRow[] {
  if (!scans.every((scan) => scan.id !== undefined)) return rows;
  const byId = new Map(rows.map((row) => [row.id, row]));
  return scans.map((scan) => byId.get(scan.id as string) as ScanRow);
}

export interface ListScansOptions {
  limit: number;
  /** Resume after this (created_at, id), exclusive: the last item of the previous page. */
  after?: { createdAt: Date; id: string } | undefined;
  status?: ScanStatus | undefined;
  scanType?: string | undefined;
  /** Only scans carrying every one of these labels (AND). */
  labels?: ScanLabels | undefined;
}

/** A list item: the scan and its result's severity summary (not the findings). */
export interface ScanListItem extends ScanRow {
  summary: unknown;
  /** Whether the scan's result is current (null: the scan has no result). */
  result_current: boolean | null;
  /** When the scan's result stops being true by itself (null: never, or no result). */
  result_valid_until: Date | null;
  /** The advisory revision when the page was read. */
  checked_revision: string;
}

/** A page of the user's scans, newest first; keyset pagination on (created_at, id) so pages never shift. */
export async function listScansForUser(db: DbExecutor, userId: string, options: ListScansOptions): Promise<ScanListItem[]> {
  let query = db
    .selectFrom("scans")
    .leftJoin("scan_results", "scan_results.id", "scans.result_id")
    .selectAll("scans")
    .select([
      sql<unknown>`scan_results.result -> 'summary'`.as("summary"),
      sql<boolean | null>`CASE WHEN scan_results.id IS NULL THEN NULL ELSE ${resultIsCurrent()} END`.as("result_current"),
      "scan_results.valid_until as result_valid_until",
      advisoryRevisionNow().as("checked_revision"),
    ])
    .where("scans.user_id", "=", userId)
    .orderBy("scans.created_at", "desc")
    .orderBy("scans.id", "desc")
    .limit(options.limit);
  if (options.after) {
    const { createdAt, id } = options.after;
    query = query.where((eb) => eb(eb.refTuple("scans.created_at", "scans.id"), "<", eb.tuple(createdAt, id)));
  }
  if (options.status) query = query.where("scans.status", "=", options.status);
  if (options.scanType) query = query.where("scans.scan_type", "=", options.scanType);
  if (options.labels && Object.keys(options.labels).length > 0) {
    query = query.where(sql<boolean>`scans.labels @> ${JSON.stringify(options.labels)}::jsonb`);
  }
  return query.execute();
}

/** Deletes one of the user's scans; returns the deleted row, or undefined if it was not theirs or not there. */
export async function deleteScanForUser(db: DbExecutor, scanId: string, userId: string): Promise<ScanRow | undefined> {
  return db.deleteFrom("scans").where("id", "=", scanId).where("user_id", "=", userId).returningAll().executeTakeFirst();
}

function sameInput(key: InputKey) {
  return (eb: ExpressionBuilder<Database, "scans">) =>
    eb.and([
      eb("scans.scan_type", "=", key.scanType),
      eb("scans.input_hash", "=", key.inputHash),
      key.ownerId === null
        ? eb("scans.owner_scoped", "=", false)
        : eb.and([eb("scans.owner_scoped", "=", true), eb("scans.user_id", "=", key.ownerId)]),
    ]);
}

/** A queued or running scan of this input, if any: a new identical submission joins its run. */
export async function findInFlightScan(db: DbExecutor, key: InputKey): Promise<ScanRow | undefined> {
  return db.selectFrom("scans").selectAll().where(sameInput(key)).where("status", "in", IN_FLIGHT).limit(1).executeTakeFirst();
}

/**
 * The user's newest scan of this input with exactly these labels that was answered from the cached result
 * `resultId`, if any: a repeated cache-hit submission is answered with it instead of a new row.
 */
export async function findCachedScanOf(
  db: DbExecutor,
  userId: string,
  key: InputKey,
  resultId: string,
  labels: ScanLabels = {},
): Promise<ScanRow | undefined> {
  return db
    .selectFrom("scans")
    .selectAll()
    .where(sameInput(key))
    .where("user_id", "=", userId)
    .where("cached", "=", true)
    .where("result_id", "=", resultId)
    .where(sql<boolean>`scans.labels = ${JSON.stringify(labels)}::jsonb`)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
}

/** Moves the queued scans of a run to running; returns how many are in flight (0: nothing left to do). */
export async function markRunScansRunning(db: DbExecutor, jobId: string): Promise<number> {
  const rows = await db
    .updateTable("scans")
    .set((eb) => ({ status: "running", started_at: eb.fn.coalesce("started_at", eb.val(new Date())) }))
    .where("job_id", "=", jobId)
    .where("status", "in", IN_FLIGHT)
    .returning("id")
    .execute();
  return rows.length;
}

/** How a run ended, as its scans record it: the stored result, or a failure with a stable code. */
export type FinishedRun = { status: "completed"; resultId: string } | { status: "failed"; code: string; message: string };

/** Finishes every in-flight scan of a run; returns the rows it finished (none if another delivery already did). */
export async function finishRunScans(db: DbExecutor, jobId: string, outcome: FinishedRun): Promise<ScanRow[]> {
  const now = new Date();
  return db
    .updateTable("scans")
    .set(
      outcome.status === "completed"
        ? { status: "completed", result_id: outcome.resultId, completed_at: now }
        : { status: "failed", error: outcome.message, error_code: outcome.code, completed_at: now },
    )
    .where("job_id", "=", jobId)
    .where("status", "in", IN_FLIGHT)
    .returningAll()
    .execute();
}

/** A run (job) that still has scans in flight, with its input key and its oldest scan's age. */
export interface InFlightRun {
  jobId: string;
  key: InputKey;
  oldest: Date;
}

/** Runs with scans queued or running since before `olderThan`: candidates for a lost job. */
export async function findStaleInFlightRuns(db: DbExecutor, olderThan: Date, limit = 100): Promise<InFlightRun[]> {
  const rows = await db
    .selectFrom("scans")
    .select((eb) => [
      "job_id",
      "scan_type",
      "input_hash",
      "owner_scoped",
      // Private runs belong to one user; any row's user is the owner.
      sql<string>`(array_agg(user_id))[1]`.as("user_id"),
      eb.fn.min("created_at").as("oldest"),
    ])
    .where("status", "in", IN_FLIGHT)
    .where("job_id", "is not", null)
    .where("created_at", "<", olderThan)
    .groupBy(["job_id", "scan_type", "input_hash", "owner_scoped"])
    .limit(limit)
    .execute();
  return rows.map((row) => ({
    jobId: row.job_id ?? "",
    key: { scanType: row.scan_type, inputHash: row.input_hash, ownerId: row.owner_scoped ? row.user_id : null },
    oldest: row.oldest,
  }));
}

/** A scan with its result (null columns when it has none), the result's currency checked in the same statement. */
export interface ScanWithResult extends ScanRow {
  result: unknown;
  result_tags: string[] | null;
  result_valid_until: Date | null;
  /** null: the scan has no result. */
  result_current: boolean | null;
  /** The advisory revision when the row was read: a current result is known current up to it. */
  checked_revision: string;
}

/** A scan by id, joined to its result, for rendering the scan (view) and stamping its currency. */
export async function findScanWithResult(db: DbExecutor, scanId: string): Promise<ScanWithResult | undefined> {
  return db
    .selectFrom("scans")
    .leftJoin("scan_results", "scan_results.id", "scans.result_id")
    .selectAll("scans")
    .select([
      "scan_results.result as result",
      "scan_results.tags as result_tags",
      "scan_results.valid_until as result_valid_until",
      sql<boolean | null>`CASE WHEN scan_results.id IS NULL THEN NULL ELSE ${resultIsCurrent()} END`.as("result_current"),
      advisoryRevisionNow().as("checked_revision"),
    ])
    .where("scans.id", "=", scanId)
    .executeTakeFirst();
}
