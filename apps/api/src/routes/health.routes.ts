import { readAdvisoryFreshness } from "@secapi/core";
import { anyDependencyAnswers, healthResponse, livenessResponse } from "@secapi/runtime";
import { withTimeout } from "@secapi/toolkit";
import { Router } from "express";
import type { ApiContext } from "../context.js";
import { NO_STORE } from "../http/cache-control.js";

/**
 * How long `/ready` waits for Postgres and the queue Redis: a hung dependency makes it answer 503 within
 * about this, well inside a load balancer's or Kubernetes' probe timeout.
 */
export const READY_TIMEOUT_MS = 100;

/** How long `/health` waits for the advisory sync state before leaving `advisories` out. */
const ADVISORY_FRESHNESS_TIMEOUT_MS = 250;

/**
 * `/health` (can this process serve anything?), `/ready` (can it serve everything: Postgres and the queue Redis
 * answer?) and `/live` (is its event loop answering?). docs/OPERATIONS.md "Health and readiness" says which probe
 * uses which.
 */
export function healthRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get("/health", async (_req, res) => {
    // Freshness is reported when Postgres answers in time; it never changes whether this process can serve.
    const [report, advisories] = await Promise.all([
      ctx.health.check(),
      withTimeout(readAdvisoryFreshness(ctx.db, ctx.config.advisorySync), ADVISORY_FRESHNESS_TIMEOUT_MS, () => new Error("timeout")).catch(
        () => undefined,
      ),
    ]);
    const { status, body } = healthResponse(
      report,
      anyDependencyAnswers(report),
      advisories !== undefined && report.database === "connected" ? { advisories } : {},
    );
    // Live state, like /ready: a stored copy would tell a load balancer about the past.
    res.status(status).set("Cache-Control", NO_STORE).json(body);
  });

  // Only what serving needs: without the cache Redis every request still succeeds (BYPASS).
  router.get("/ready", async (_req, res) => {
    const report = await ctx.health.check({ only: ["redis_queue"], timeoutMs: ctx.readyTimeoutMs ?? READY_TIMEOUT_MS });
    const ready = report.database === "connected" && report.redis_queue === "connected";
    res
      .status(ready ? 200 : 503)
      .set("Cache-Control", NO_STORE)
      .json({ ready, database: report.database, redis_queue: report.redis_queue });
  });

  // Asks nothing: a dependency outage must never restart the api, only a wedged event loop (the probe times out).
  router.get("/live", (_req, res) => {
    const { status, body } = livenessResponse();
    res.status(status).set("Cache-Control", NO_STORE).json(body);
  });

  return router;
}
