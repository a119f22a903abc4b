import type { ColumnType, Generated, Selectable } from "kysely";

/** Every state of a scan, in the order a scan passes through them. */
export const SCAN_STATUSES = ["queued", "running", "completed", "failed"] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

/** A scan's labels: short string values by key (validated by the API before they get here). */
export type ScanLabels = Record<string, string>;

export interface ScansTable {
  id: Generated<string>;
  user_id: string;
  scan_type: string;
  status: ScanStatus;
  input_hash: string;
  /** True for types whose results are private to their owner (secrets). */
  owner_scoped: Generated<boolean>;
  /** The BullMQ job of the run this scan waits for; null for scans answered from a stored result. */
  job_id: string | null;
  cached: Generated<boolean>;
  /** The submitter's labels (`{"project": "web"}`), `{}` when none; written as JSON text. */
  labels: ColumnType<ScanLabels, string | undefined, string>;
  result_id: string | null;
  error: string | null;
  error_code: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  completed_at: Date | null;
  /** When a re-run of the stored result found different findings than the scan had; null while they never changed. */
  findings_changed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export type ScanRow = Selectable<ScansTable>;
