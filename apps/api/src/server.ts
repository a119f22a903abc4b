import { type Express, Router } from "express";
import type { ApiContext } from "./context.js";
import { NO_STORE, callerDependent } from "./http/cache-control.js";
import { createExpressApp } from "./http/express-host.js";
import { notFound } from "./http/http-error.js";
import { inSequence } from "./http/in-sequence.js";
import { limitRequests } from "./limits/limit-requests.js";
import { identify, requireAdmin, requireAuth } from "./middleware/authenticate.js";
import { errorHandler } from "./middleware/error-handler.js";
import { refuseEncodedNul } from "./middleware/refuse-encoded-nul.js";
import { requestBody } from "./middleware/request-body.js";
import { requestLogger } from "./middleware/request-logger.js";
import { accountRouter } from "./routes/account.routes.js";
import { advisoriesRouter } from "./routes/advisories.routes.js";
import { adminAdvisoriesRouter } from "./routes/admin-advisories.routes.js";
import { adminUsersRouter } from "./routes/admin-users.routes.js";
import { cacheRouter } from "./routes/cache.routes.js";
import { healthRouter } from "./routes/health.routes.js";
import { queueBoardRouter } from "./routes/queue-board.routes.js";
import { scansRouter } from "./routes/scans.routes.js";
import { docsRouter } from "./openapi/docs.routes.js";

/**
 * The express app, wired to the given context. It does not listen: main.ts (or a test) does.
 * Order matters: metrics first; health, readiness, /metrics and the docs are never rate limited; under /api/v1
 * every request is marked as depending on its caller and not stored (routes that may be kept say so), identified, then rate limited (per user, or per IP without a valid key), then
 * authenticated, then its body is parsed.
 */
export function createServer(ctx: ApiContext): Express {
  const app = createExpressApp();
  app.disable("x-powered-by");
  app.set("trust proxy", ctx.config.trustProxy);
  app.set("etag", "strong");
  app.set("query parser", "simple");

  app.use(ctx.metrics.httpMiddleware());
  app.use(requestLogger(app, ctx.logger));

  // First, so the hot path does not walk the routers below on every request.
  const api = Router();
  api.use(inSequence(callerDependent, identify(ctx), limitRequests(ctx), requireAuth, refuseEncodedNul, requestBody));
  api.use("/admin", requireAdmin, adminUsersRouter(ctx), adminAdvisoriesRouter(ctx));
  api.use(scansRouter(ctx), accountRouter(ctx), cacheRouter(ctx), advisoriesRouter(ctx));
  app.use("/api/v1", api);

  app.use(healthRouter(ctx));
  const metricsHandler = ctx.metrics.metricsHandler(ctx.config.metricsToken);
  app.get("/metrics", (req, res) => metricsHandler(req, res.set("Cache-Control", NO_STORE)));
  app.use(docsRouter());
  app.use(queueBoardRouter(ctx));

  app.use((_req, _res, next) => next(notFound("Route")));
  app.use(errorHandler(ctx.logger));
  return app;
}

export type { ApiContext } from "./context.js";
