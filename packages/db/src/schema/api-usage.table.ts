import type { ColumnType, Generated } from "kysely";

export interface ApiUsageTable {
  id: ColumnType<string, never, never>;
  user_id: string;
  kind: "scan";
  cost: Generated<number>;
  scan_id: string | null;
  timestamp: Generated<Date>;
}
