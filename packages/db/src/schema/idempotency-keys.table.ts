import type { ColumnType, Generated, Selectable } from "kysely";

export interface IdempotencyKeysTable {
  user_id: string;
  key: string;
  request_hash: string;
  /** Null only inside the transaction that claimed the key. */
  response_status: number | null;
  response_body: ColumnType<unknown, string | null, string>;
  response_headers: ColumnType<Record<string, string> | null, string | null, string>;
  created_at: Generated<Date>;
}
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
