import type { ColumnType, Generated } from "kysely";

export interface AdvisoriesTable {
  id: string;
  modified: ColumnType<Date, Date | string, Date | string>;
  withdrawn: ColumnType<Date | null, Date | string | null, Date | string | null>;
  data: ColumnType<unknown, string, string>;
  imported_at: Generated<Date>;
  /** The parser version that prepared `data`. */
  parser_version: Generated<number>;
}

export interface AdvisoryPackagesTable {
  ecosystem: string;
  name: string;
  advisory_id: string;
}
