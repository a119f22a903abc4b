import type { DbExecutor } from "../schema/database.js";
import type { ScanResultRow } from "../schema/scan-results.table.js";
import { advisoryRevisionNow, resultIsCurrent } from "./advisory-revisions.queries.js";
import type { InputKey } from "./input-key.js";

/** What a result was computed against: the advisory revision, and when it stops being true by itself. */
export interface ResultBasis {
  advisoryRevision: number;
  /** ISO 8601; absent: the result does not expire by itself. */
  validUntil?: string | undefined;
}

/** Stores (or replaces) the result of an input; a job that runs twice still leaves one row. */
export async function upsertScanResult(
  db: DbExecutor,
  key: InputKey,
  result: unknown,
  tags: readonly string[],
  basis: ResultBasis = { advisoryRevision: 0 },
): Promise<string> {
  const row = await db
    .insertInto("scan_results")
    .values({
      scan_type: key.scanType,
      owner_id: key.ownerId,
      input_hash: key.inputHash,
      result: JSON.stringify(result),
      tags: [...tags],
      advisory_revision: basis.advisoryRevision,
      valid_until: basis.validUntil ?? null,
    })
    .onConflict((oc) =>
      oc.columns(["scan_type", "input_hash", "owner_id"]).doUpdateSet({
        result: (eb) => eb.ref("excluded.result"),
        tags: (eb) => eb.ref("excluded.tags"),
        advisory_revision: (eb) => eb.ref("excluded.advisory_revision"),
        valid_until: (eb) => eb.ref("excluded.valid_until"),
        updated_at: new Date(),
      }),
    )
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A stored result, whether it is still current, and the advisory revision that verdict was reached at. */
export interface CheckedScanResult extends ScanResultRow {
  current: boolean;
  /** The advisory revision when the row was read: a current result is known current up to it. */
  checked_revision: string;
}

/** The stored result of an input, checked for currency in the same statement. */
export async function findScanResult(db: DbExecutor, key: InputKey): Promise<CheckedScanResult | undefined> {
  let query = db
    .selectFrom("scan_results")
    .selectAll()
    .select([resultIsCurrent().as("current"), advisoryRevisionNow().as("checked_revision")])
    .where("scan_type", "=", key.scanType)
    .where("input_hash", "=", key.inputHash);
  query = key.ownerId === null ? query.where("owner_id", "is", null) : query.where("owner_id", "=", key.ownerId);
  return query.executeTakeFirst();
}
