import type { LimitDecision } from "@secapi/limiter";
import type { RequestHandler, Response } from "express";
import type { ApiContext } from "../context.js";
import { clientSubject } from "./client-subject.js";
import { endpointOf } from "./endpoint-label.js";
import { limitError, setRateLimitHeaders } from "./rate-limit-response.js";
import { requestWindows, userSubject } from "@secapi/core";

/** The request-limit decision of this request, for handlers that add scan quotas to the headers. */
export function requestLimitOf(res: Response): LimitDecision | undefined {
  return res.locals.requestLimit as LimitDecision | undefined;
}

/**
 * Every request uses request quota: the caller's tier per minute, or the anonymous per-IP limit for
 * requests without a valid key (so unknown keys cannot be used to dodge it). 429 over the limit; 503 if
 * the limiter cannot count and RATE_LIMIT_FAIL_MODE is closed.
 */
export function limitRequests(ctx: ApiContext): RequestHandler {
  return async (req, res, next) => {
    const principal = req.principal;
    const decision = await ctx.limiter.check(
      principal
        ? { subject: userSubject(principal.userId), windows: requestWindows(ctx.config.tiers[principal.tier].requests_per_minute) }
        : { subject: clientSubject(req.ip), windows: requestWindows(ctx.config.anonRateLimitPerMinute) },
    );
    res.locals.requestLimit = decision;
    setRateLimitHeaders(res, decision);
    if (decision.outcome === "denied") {
      ctx.metrics.rateLimitExceeded.inc({ tier: principal?.tier ?? "anonymous", endpoint: endpointOf(req) });
    }
    next(limitError(decision));
  };
}
