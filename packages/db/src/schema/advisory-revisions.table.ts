import type { ColumnType } from "kysely";

/** One row: the advisory database's revision, incremented by every import that changed something. */
export interface AdvisoryRevisionTable {
  singleton: ColumnType<boolean, never, never>;
  revision: ColumnType<string, never, string | number>;
}

/** The revision at which the advisories of one package (by its result tag, `pkg:<ecosystem>/<name>`) last changed. */
export interface AdvisoryPackageRevisionsTable {
  tag: string;
  revision: ColumnType<string, string | number, string | number>;
}
