import { scanWindows, userSubject } from "@secapi/core";
import type { Principal } from "@secapi/db";
import { type LimitDecision, rateLimitHeaders } from "@secapi/limiter";
import type { ApiContext } from "../context.js";
import type { HttpError } from "../http/http-error.js";
import { limitError, mergeDecisions, withoutWindows } from "../limits/rate-limit-response.js";

/** Counts a submission the scan quota refused, and tells the user's quota webhook (once per window). */
export function recordScanQuotaDenial(ctx: ApiContext, principal: Principal, scanType: string, quota: LimitDecision): void {
  if (quota.outcome !== "denied") return;
  ctx.metrics.rateLimitExceeded.inc({ tier: principal.tier, endpoint: "scan-quota" });
  ctx.metrics.scanRequests.inc({ scan_type: scanType, status: "rate_limited", tier: principal.tier });
  void ctx.notifier.onScanQuotaDenied(principal.userId, quota);
}

/**
 * The refusal of a submission whose scan quota is already used up, decided before its body is read: an image
 * archive may be 2 GiB, which a caller over quota must not have to upload to learn that. A peek: the submission
 * itself still consumes (or is refused) when it is answered. Undefined when the quotas could take one more scan.
 */
export async function scanQuotaRefusal(
  ctx: ApiContext,
  principal: Principal,
  scanType: string,
  requestLimit: LimitDecision | undefined,
): Promise<{ refused: HttpError; headers: Record<string, string> } | undefined> {
  const windows = scanWindows(ctx.config.tiers[principal.tier]);
  const quota = await ctx.limiter.check({ subject: userSubject(principal.userId), windows, peek: true });
  const refused = limitError(quota);
  if (!refused) return undefined;
  recordScanQuotaDenial(ctx, principal, scanType, quota);
  const reported = requestLimit ? mergeDecisions(withoutWindows(requestLimit, windows), quota) : quota;
  return { refused, headers: rateLimitHeaders(reported, Date.now()) };
}
