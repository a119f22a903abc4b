import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";
import type { InputKey } from "./input-key.js";

function whereKey(key: InputKey) {
  return sql<boolean>`scan_type = ${key.scanType} AND input_hash = ${key.inputHash} AND owner_id IS NOT DISTINCT FROM ${key.ownerId}`;
}

/** Keeps the sealed input until its job finishes; a second submission of the same input refreshes it. */
export async function putScanInput(db: DbExecutor, key: InputKey, sealed: Buffer): Promise<void> {
  await db
    .insertInto("scan_inputs")
    .values({ scan_type: key.scanType, owner_id: key.ownerId, input_hash: key.inputHash, sealed })
    .onConflict((oc) => oc.columns(["scan_type", "input_hash", "owner_id"]).doUpdateSet({ sealed: (eb) => eb.ref("excluded.sealed") }))
    .execute();
}

export async function findScanInput(db: DbExecutor, key: InputKey): Promise<Buffer | undefined> {
  const row = await db.selectFrom("scan_inputs").select("sealed").where(whereKey(key)).executeTakeFirst();
  return row?.sealed;
}

export async function deleteScanInput(db: DbExecutor, key: InputKey): Promise<void> {
  await db.deleteFrom("scan_inputs").where(whereKey(key)).execute();
}
