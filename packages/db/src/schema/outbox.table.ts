import type { ColumnType, Generated, Selectable } from "kysely";

export interface OutboxTable {
  /** bigserial: pg returns it as a string. */
  id: ColumnType<string, never, never>;
  queue: string;
  job_name: string;
  job_id: string;
  payload: ColumnType<unknown, string, string>;
  created_at: Generated<Date>;
  attempts: Generated<number>;
  last_error: string | null;
}
export type OutboxRow = Selectable<OutboxTable>;
