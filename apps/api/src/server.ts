import express, { type Express, Router } from "express";
import type { ApiContext } from "./context.js";
import { notFound } from "./http/http-error.js";
import { authenticate, requireAdmin } from "./middleware/authenticate.js";
import { errorHandler } from "./middleware/error-handler.js";
import { jsonBody } from "./middleware/json-body.js";
import { requestLogger } from "./middleware/request-logger.js";
import { adminAdvisoriesRouter } from "./routes/admin-advisories.routes.js";
import { adminUsersRouter } from "./routes/admin-users.routes.js";
import { healthRouter } from "./routes/health.routes.js";
import { scansRouter } from "./routes/scans.routes.js";

/** The express app, wired to the given context. It does not listen: main.ts (or a test) does. */
export function createServer(ctx: ApiContext): Express {
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", ctx.config.trustProxy);
  app.set("etag", "strong");
  app.set("query parser", "simple");

  app.use(requestLogger(ctx.logger));
  app.use(healthRouter(ctx));

  const api = Router();
  api.use(authenticate(ctx.db));
  api.use(jsonBody);
  api.use("/admin", requireAdmin, adminUsersRouter(ctx), adminAdvisoriesRouter(ctx));
  api.use(scansRouter(ctx));
  app.use("/api/v1", api);

  app.use((_req, _res, next) => next(notFound("Route")));
  app.use(errorHandler(ctx.logger));
  return app;
}

export type { ApiContext } from "./context.js";
