import type { ColumnType } from "kysely";

/** One row per ecosystem the advisory feed sync has tried: its cursor and the outcome of its last attempt. */
export interface AdvisorySyncStateTable {
  ecosystem: string;
  source: string;
  cursor_modified: ColumnType<Date | null, string | null | undefined, string | null>;
  index_etag: string | null;
  index_last_modified: string | null;
  last_attempt_at: ColumnType<Date | null, string | null | undefined, string | null>;
  last_success_at: ColumnType<Date | null, string | null | undefined, string | null>;
  last_outcome: string | null;
  last_error: string | null;
  last_duration_ms: number | null;
  last_changed: ColumnType<number, number | undefined, number>;
}
