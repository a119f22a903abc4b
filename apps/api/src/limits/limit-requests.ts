import type { TierLimits } from "@secapi/config";
import type { LimitDecision } from "@secapi/limiter";
import type { Request, RequestHandler, Response } from "express";
import type { ApiContext } from "../context.js";
import { clientSubject } from "./client-subject.js";
import { endpointOf } from "./endpoint-label.js";
import { limitError, setRateLimitHeaders, withoutWindows } from "./rate-limit-response.js";
import { requestWindows, scanWindows, submissionRequestWindows, userSubject } from "@secapi/core";

/** The request-limit decision of this request, for handlers that add scan quotas to the headers. */
export function requestLimitOf(res: Response): LimitDecision | undefined {
  return res.locals.requestLimit as LimitDecision | undefined;
}

const SUBMISSION_ENDPOINTS = new Set(["/api/v1/scans", "/api/v1/scan/:type"]);

/** A scan submission (`POST /api/v1/scans`, `POST /api/v1/scan/:type`): it always reports the scan quotas. */
export function isScanSubmission(req: Request): boolean {
  return req.method === "POST" && SUBMISSION_ENDPOINTS.has(endpointOf(req));
}

/** `GET /api/v1/usage`: its request-limit check reads the scan quotas it shows, so the route needs no check of its own. */
export function isUsageRead(req: Request): boolean {
  return req.method === "GET" && req.originalUrl.startsWith("/api/v1/usage") && endpointOf(req) === "/api/v1/usage";
}

/**
 * Every request uses request quota: the caller's tier per minute, or the anonymous per-IP limit for
 * requests without a valid key (so unknown keys cannot be used to dodge it). 429 over the limit; 503 if
 * the limiter cannot count and RATE_LIMIT_FAIL_MODE is closed. A scan submission's check also reads its scan
 * quotas in the same round trip: a submission answered from the cache reports them without another one. So does
 * `/usage`'s, whose headers still report the request limit alone, as on every other read.
 */
export function limitRequests(ctx: ApiContext): RequestHandler {
  const userWindows = (req: Request, tier: TierLimits, usage: boolean) =>
    usage || isScanSubmission(req) ? submissionRequestWindows(tier) : requestWindows(tier.requests_per_minute);
  return async (req, res, next) => {
    const principal = req.principal;
    const usage = principal !== undefined && isUsageRead(req);
    const decision = await ctx.limiter.check(
      principal
        ? { subject: userSubject(principal.userId), windows: userWindows(req, ctx.config.tiers[principal.tier], usage) }
        : { subject: clientSubject(req.ip), windows: requestWindows(ctx.config.anonRateLimitPerMinute) },
    );
    res.locals.requestLimit = decision;
    setRateLimitHeaders(res, principal && usage ? withoutWindows(decision, scanWindows(ctx.config.tiers[principal.tier])) : decision);
    if (decision.outcome === "denied") {
      ctx.metrics.rateLimitExceeded.inc({ tier: principal?.tier ?? "anonymous", endpoint: endpointOf(req) });
    }
    next(limitError(decision));
  };
}
