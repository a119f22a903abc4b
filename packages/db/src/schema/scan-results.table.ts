import type { ColumnType, Generated, Selectable } from "kysely";

export interface ScanResultsTable {
  id: Generated<string>;
  scan_type: string;
  /** Set only for private types: the result belongs to this user alone. */
  owner_id: string | null;
  input_hash: string;
  result: ColumnType<unknown, string, string>;
  tags: Generated<string[]>;
  /** The advisory revision the result was computed against (bigint: pg returns it as a string). */
  advisory_revision: ColumnType<string, string | number | undefined, string | number>;
  /** When the result stops being true (an advisory it matched is withdrawn then); null: never by itself. */
  valid_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
export type ScanResultRow = Selectable<ScanResultsTable>;
