import type { DbExecutor } from "../schema/database.js";
import type { ScanResultRow } from "../schema/scan-results.table.js";
import type { InputKey } from "./input-key.js";

/** Stores (or replaces) the result of an input; a job that runs twice still leaves one row. */
export async function upsertScanResult(
  db: DbExecutor,
  key: InputKey,
  result: unknown,
  tags: readonly string[],
): Promise<string> {
  const row = await db
    .insertInto("scan_results")
    .values({
      scan_type: key.scanType,
      owner_id: key.ownerId,
      input_hash: key.inputHash,
      result: JSON.stringify(result),
      tags: [...tags],
    })
    .onConflict((oc) =>
      oc
        .columns(["scan_type", "input_hash", "owner_id"])
        .doUpdateSet({
          result: (eb) => eb.ref("excluded.result"),
          tags: (eb) => eb.ref("excluded.tags"),
          updated_at: new Date(),
        }),
    )
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findScanResult(db: DbExecutor, key: InputKey): Promise<ScanResultRow | undefined> {
  let query = db
    .selectFrom("scan_results")
    .selectAll()
    .where("scan_type", "=", key.scanType)
    .where("input_hash", "=", key.inputHash);
  query = key.ownerId === null ? query.where("owner_id", "is", null) : query.where("owner_id", "=", key.ownerId);
  return query.executeTakeFirst();
}
