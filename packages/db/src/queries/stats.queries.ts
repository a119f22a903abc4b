import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";

export interface UserScanStats {
  total: number;
  by_status: Record<string, number>;
  by_type: Record<string, number>;
  /** Summed over the user's completed scans. */
  findings_by_severity: { critical: number; high: number; medium: number; low: number; unknown: number; total: number };
}

/** The numbers behind `GET /api/v1/stats`, in two index-backed queries. */
export async function userScanStats(db: DbExecutor, userId: string): Promise<UserScanStats> {
  const groups = await db
    .selectFrom("scans")
    .select(["status", "scan_type", (eb) => eb.fn.countAll<string>().as("n")])
    .where("user_id", "=", userId)
    .groupBy(["status", "scan_type"])
    .execute();
  const { rows } = await sql<Record<"critical" | "high" | "medium" | "low" | "unknown" | "total", string | null>>`
    SELECT
      sum((r.result -> 'summary' ->> 'critical')::int) AS critical,
      sum((r.result -> 'summary' ->> 'high')::int) AS high,
      sum((r.result -> 'summary' ->> 'medium')::int) AS medium,
      sum((r.result -> 'summary' ->> 'low')::int) AS low,
      sum((r.result -> 'summary' ->> 'unknown')::int) AS unknown,
      sum((r.result -> 'summary' ->> 'total')::int) AS total
    FROM scans s JOIN scan_results r ON r.id = s.result_id
    WHERE s.user_id = ${userId} AND s.status = 'completed'
  `.execute(db);
  const sums = rows[0];
  const n = (v: string | null | undefined) => Number(v ?? 0);
  const byStatus: Record<string, number> = { queued: 0, running: 0, completed: 0, failed: 0 };
  const byType: Record<string, number> = {};
  let total = 0;
  for (const group of groups) {
    const count = Number(group.n);
    total += count;
    byStatus[group.status] = (byStatus[group.status] ?? 0) + count;
    byType[group.scan_type] = (byType[group.scan_type] ?? 0) + count;
  }
  return {
    total,
    by_status: byStatus,
    by_type: byType,
    findings_by_severity: {
      critical: n(sums?.critical),
      high: n(sums?.high),
      medium: n(sums?.medium),
      low: n(sums?.low),
      unknown: n(sums?.unknown),
      total: n(sums?.total),
    },
  };
}

/** Results whose tags include any of `tags` (GIN index): the results an advisory change affects. */
export async function findResultsTagged(
  db: DbExecutor,
  tags: readonly string[],
  limit = 10_000,
): Promise<{ id: string; scan_type: string; owner_id: string | null; input_hash: string }[]> {
  if (tags.length === 0) return [];
  return db
    .selectFrom("scan_results")
    .select(["id", "scan_type", "owner_id", "input_hash"])
    .where(sql<boolean>`tags && ${sql.val([...tags])}::text[]`)
    .limit(limit)
    .execute();
}
