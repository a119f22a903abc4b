import type { ColumnType, Generated, Selectable } from "kysely";

export interface ScanResultsTable {
  id: Generated<string>;
  scan_type: string;
  /** Set only for private types: the result belongs to this user alone. */
  owner_id: string | null;
  input_hash: string;
  result: ColumnType<unknown, string, string>;
  tags: Generated<string[]>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type ScanResultRow = Selectable<ScanResultsTable>;
