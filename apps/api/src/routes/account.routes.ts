import { type ResultCurrency, checkedCurrency, submissionRequestWindows, userSubject, userTag } from "@secapi/core";
import { type UserScanStats, userScanStats } from "@secapi/db";
import type { WindowState } from "@secapi/limiter";
import { Router } from "express";
import type { ApiContext } from "../context.js";
import { requestLimitOf } from "../limits/limit-requests.js";
import { reportsEvery } from "../limits/rate-limit-response.js";
import { requestPrincipal } from "../middleware/authenticate.js";
import { sendFreshWithEtag } from "../http/conditional.js";
import { sendCurrentRead } from "../scans/current-entries.js";
import { STALE_IF_ERROR_SECONDS } from "../http/stale-if-database-down.js";

const STATS_TTL_SECONDS = 60;

/** The cached stats, with the currency of the results they sum. */
interface StatsEntry extends ResultCurrency {
  stats: UserScanStats;
}

const LIMIT_NAMES: Record<string, string> = {
  minute: "requests_per_minute",
  "scans-hour": "scans_per_hour",
  "scans-month": "scans_per_month",
};

function usageView(window: WindowState, nowMs: number) {
  return {
    limit: window.limit,
    used: window.used,
    remaining: window.remaining,
    reset: Math.ceil(nowMs / 1000) + window.resetSeconds,
    reset_in_seconds: window.resetSeconds,
  };
}

/** `GET /api/v1/usage` and `GET /api/v1/stats`: where the caller stands, and their dashboard. */
export function accountRouter(ctx: ApiContext): Router {
  const router = Router();

  // Read live from the limiter on every call: usage changes with every request, so a cached copy would
  // be wrong at once. The request limit's check read every window already (limitRequests); only a decision
  // without the scan quotas (never from the limiter as it is) needs a peek of its own. Only the principal
  // behind it comes from the cache.
  router.get("/usage", async (req, res) => {
    const principal = requestPrincipal(req);
    const limits = ctx.config.tiers[principal.tier];
    const windows = submissionRequestWindows(limits);
    const requestLimit = requestLimitOf(res);
    const decision =
      requestLimit && reportsEvery(requestLimit, windows)
        ? requestLimit
        : await ctx.limiter.check({ subject: userSubject(principal.userId), windows, peek: true });
    const now = Date.now();
    res.setHeader("X-Cache-Status", "BYPASS");
    sendFreshWithEtag(req, res, {
      tier: principal.tier,
      limits: Object.fromEntries(decision.windows.map((w) => [LIMIT_NAMES[w.name] ?? w.name, usageView(w, now)])),
      result_ttl_seconds: limits.result_ttl_seconds,
      ...(decision.outcome === "unavailable" || ("source" in decision && decision.source !== "redis") ? { degraded: true } : {}),
    });
  });

  router.get("/stats", async (req, res) => {
    const { userId } = requestPrincipal(req);
    const statsKey = ctx.keys.user(userId, "stats");
    // Findings are summed over current results only: the stats are re-read after any advisory change.
    const load = async (): Promise<StatsEntry> => {
      const { stats, checkedRevision, validUntil } = await userScanStats(ctx.db, userId);
      return { stats, ...checkedCurrency(checkedRevision, [validUntil]) };
    };
    const options = { ttl: STATS_TTL_SECONDS, staleIfError: STALE_IF_ERROR_SECONDS, tags: [userTag(userId)] };
    await sendCurrentRead(ctx, req, res, { key: statsKey, load, options, bodyOf: (entry) => entry?.stats });
  });

  return router;
}
