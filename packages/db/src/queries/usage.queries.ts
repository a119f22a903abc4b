import type { DbExecutor } from "../schema/database.js";

/** Records scan quota spent (negative cost gives it back); the durable source of the monthly count. */
export async function recordScanUsage(db: DbExecutor, usage: { userId: string; scanId: string | null; cost?: number }): Promise<void> {
  await db
    .insertInto("api_usage")
    .values({ user_id: usage.userId, kind: "scan", scan_id: usage.scanId, cost: usage.cost ?? 1 })
    .execute();
}

/** Scan quota the user spent since `since` (e.g. the start of the UTC month). */
export async function scanUsageSince(db: DbExecutor, userId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom("api_usage")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>("cost"), eb.val("0")).as("used"))
    .where("user_id", "=", userId)
    .where("kind", "=", "scan")
    .where("timestamp", ">=", since)
    .executeTakeFirstOrThrow();
  return Number(row.used);
}
