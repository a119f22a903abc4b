import { healthResponse } from "@secapi/core";
import { Router } from "express";
import type { ApiContext } from "../context.js";

/** `/health` (can this process serve?) and `/ready` (should the load balancer send it traffic?). */
export function healthRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get("/health", async (_req, res) => {
    const { status, body } = healthResponse(await ctx.health.check());
    res.status(status).json(body);
  });

  router.get("/ready", async (_req, res) => {
    const report = await ctx.health.check();
    const ready = report.database === "connected" && report.redis_queue === "connected";
    res.status(ready ? 200 : 503).json({ ready, database: report.database, redis_queue: report.redis_queue });
  });

  return router;
}
