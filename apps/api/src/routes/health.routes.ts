import { Router } from "express";
import type { ApiContext } from "../context.js";

/** `/health` (can this process serve?) and `/ready` (should the load balancer send it traffic?). */
export function healthRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get("/health", async (_req, res) => {
    const report = await ctx.health.check();
    const allUp = Object.values(report).every((s) => s === "connected");
    // Without Postgres nothing can be served; without Redis the API degrades but still answers.
    res.status(report.database === "connected" ? 200 : 503).json({ status: allUp ? "ok" : "degraded", ...report });
  });

  router.get("/ready", async (_req, res) => {
    const report = await ctx.health.check();
    const ready = report.database === "connected" && report.redis_queue === "connected";
    res.status(ready ? 200 : 503).json({ ready, database: report.database, redis_queue: report.redis_queue });
  });

  return router;
}
