import type { TierTable } from "@secapi/config";
import { scanWindows, userSubject } from "@secapi/core";
import { type Db, type ScanRow, recordScanUsage, tiersOfUsers } from "@secapi/db";
import type { RateLimiter } from "@secapi/limiter";
import type { Logger } from "pino";

/** Failures that are SecAPI's fault, not the input's: their scans give their quota back. */
export const INTERNAL_FAILURES = new Set([
  "scan_failed",
  "scan_lost",
  "input_missing",
  "sealed_input_invalid",
  "input_unresolved",
  "image_upload_missing",
]);

export interface QuotaRefunder {
  (scans: readonly ScanRow[], errorCode: string): Promise<void>;
}

/**
 * Gives back the scan quota of scans that failed for an internal reason: one unit of each scan window in
 * Redis, and a negative usage row so the durable monthly count agrees. Best effort: a refund that cannot
 * be made is logged, never retried into a double refund.
 */
export function createQuotaRefunder(deps: { db: Db; limiter: RateLimiter; tiers: TierTable; logger: Logger }): QuotaRefunder {
  return async (scans, errorCode) => {
    if (!INTERNAL_FAILURES.has(errorCode) || scans.length === 0) return;
    const tiers = await tiersOfUsers(
      deps.db,
      scans.map((s) => s.user_id),
    );
    for (const scan of scans) {
      const tier = tiers.get(scan.user_id);
      if (!tier) continue;
      try {
        await deps.limiter.refund(userSubject(scan.user_id), scanWindows(deps.tiers[tier]));
        await recordScanUsage(deps.db, { userId: scan.user_id, scanId: scan.id, cost: -1 });
      } catch (error) {
        deps.logger.warn({ err: error, scanId: scan.id }, "could not give back the scan quota of a failed scan");
      }
    }
  };
}
