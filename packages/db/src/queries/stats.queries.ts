import { sql } from "kysely";
import type { DbExecutor } from "../schema/database.js";
import { advisoryRevisionNow, resultIsCurrent } from "./advisory-revisions.queries.js";
import { sharesTag } from "./tag-overlap.js";

export interface UserScanStats {
  total: number;
  by_status: Record<string, number>;
  by_type: Record<string, number>;
  /** Completed scans whose result is no longer current (an advisory of theirs changed): not in the sums below. */
  outdated: number;
  /** Summed over the user's completed scans whose result is current. */
  findings_by_severity: { critical: number; high: number; medium: number; low: number; unknown: number; total: number };
}

/** The stats, and what they were checked against: the advisory revision, and when a result among them expires. */
export interface CheckedUserScanStats {
  stats: UserScanStats;
  checkedRevision: number;
  validUntil: Date | null;
}

/** The numbers behind `GET /api/v1/stats`, in two index-backed queries. */
export async function userScanStats(db: DbExecutor, userId: string): Promise<CheckedUserScanStats> {
  const groups = await db
    .selectFrom("scans")
    .select(["status", "scan_type", (eb) => eb.fn.countAll<string>().as("n")])
    .where("user_id", "=", userId)
    .groupBy(["status", "scan_type"])
    .execute();
  const { rows } = await sql<
    Record<"critical" | "high" | "medium" | "low" | "unknown" | "total" | "outdated" | "checked_revision", string | null> & {
      valid_until: Date | null;
    }
  >`
    SELECT
      ${advisoryRevisionNow()} AS checked_revision,
      min(r.valid_until) FILTER (WHERE r.current) AS valid_until,
      sum((r.result -> 'summary' ->> 'critical')::int) FILTER (WHERE r.current) AS critical,
      sum((r.result -> 'summary' ->> 'high')::int) FILTER (WHERE r.current) AS high,
      sum((r.result -> 'summary' ->> 'medium')::int) FILTER (WHERE r.current) AS medium,
      sum((r.result -> 'summary' ->> 'low')::int) FILTER (WHERE r.current) AS low,
      sum((r.result -> 'summary' ->> 'unknown')::int) FILTER (WHERE r.current) AS unknown,
      sum((r.result -> 'summary' ->> 'total')::int) FILTER (WHERE r.current) AS total,
      count(*) FILTER (WHERE NOT r.current) AS outdated
    FROM scans s
    JOIN LATERAL (
      SELECT scan_results.result, scan_results.valid_until, ${resultIsCurrent()} AS current FROM scan_results WHERE scan_results.id = s.result_id
    ) r ON true
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
  const stats: UserScanStats = {
    total,
    by_status: byStatus,
    by_type: byType,
    outdated: n(sums?.outdated),
    findings_by_severity: {
      critical: n(sums?.critical),
      high: n(sums?.high),
      medium: n(sums?.medium),
      low: n(sums?.low),
      unknown: n(sums?.unknown),
      total: n(sums?.total),
    },
  };
  return { stats, checkedRevision: n(sums?.checked_revision), validUntil: sums?.valid_until ?? null };
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
    .where(sharesTag("scan_results.tags", tags))
    .limit(limit)
    .execute();
}
