import type { Generated } from "kysely";

export interface ScanInputsTable {
  scan_type: string;
  owner_id: string | null;
  input_hash: string;
  sealed: Buffer;
  created_at: Generated<Date>;
}
