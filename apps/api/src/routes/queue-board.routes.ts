import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { ExpressAdapter } from "@bull-board/express";
import { ADVISORY_SYNC_QUEUE, CACHE_WARM_QUEUE, RESULT_RERUNS_QUEUE } from "@secapi/events";
import { Queue } from "bullmq";
import { type RequestHandler, Router } from "express";
import type { ApiContext } from "../context.js";
import { callerDependent } from "../http/cache-control.js";
import { HttpError, forbidden } from "../http/http-error.js";
import { inSequence } from "../http/in-sequence.js";
import { limitRequests } from "../limits/limit-requests.js";
import { identify } from "../middleware/authenticate.js";
import { refuseEncodedNul } from "../middleware/refuse-encoded-nul.js";
import { refuseUndecodablePath } from "../middleware/refuse-undecodable-path.js";

export const QUEUE_BOARD_PATH = "/admin/queues";

/**
 * A browser cannot add `Authorization: Bearer` to the board's page, assets and API calls, but it re-sends Basic
 * credentials for every one of them once asked: the admin key is the password (any user name).
 */
const basicAsBearer: RequestHandler = (req, _res, next) => {
  const match = /^Basic\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  if (match) {
    const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
    const password = decoded.slice(decoded.indexOf(":") + 1);
    if (password) req.headers.authorization = `Bearer ${password}`;
  }
  next();
};

const requireBoardAdmin: RequestHandler = (req, _res, next) => {
  if (!req.principal) {
    const message =
      req.authProblem === "invalid"
        ? "Invalid or revoked API key"
        : "An admin API key is required (Basic auth: the key as password, or Authorization: Bearer)";
    return next(new HttpError(401, "unauthorized", message, {}, { "WWW-Authenticate": 'Basic realm="SecAPI queues", charset="UTF-8"' }));
  }
  next(req.principal.role === "admin" ? undefined : forbidden());
};

/** The cache-worker's queues, which the api never produces to but an operator looks after. */
const WORKER_OWNED_QUEUES = [RESULT_RERUNS_QUEUE, CACHE_WARM_QUEUE, ADVISORY_SYNC_QUEUE];

/**
 * Handles on the worker-owned queues over the api's own queue connection (shared, so they hold no connection or
 * timer of their own to close).
 */
function workerOwnedQueues(ctx: ApiContext): Queue[] {
  const { connection } = Object.values(ctx.queues)[0]!.opts;
  return WORKER_OWNED_QUEUES.map((name) => new Queue(name, { connection, prefix: ctx.config.queuePrefix(name) }));
}

/**
 * Bull Board for every BullMQ queue (jobs by state, retry, clean, payloads), for administrators only. It is read
 * and write: an admin can retry or remove jobs, as in any BullMQ deployment. Nothing of it is stored by an HTTP cache
 * (live state, an admin's view). A malformed URL is our 400 `malformed_url` after authentication, as under /api/v1,
 * before the board sees it.
 */
export function queueBoardRouter(ctx: ApiContext): Router {
  const serverAdapter = new ExpressAdapter().setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: [...Object.values(ctx.queues), ...workerOwnedQueues(ctx)].map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: "SecAPI queues" } },
  });
  const router = Router();
  router.use(
    QUEUE_BOARD_PATH,
    inSequence(
      callerDependent,
      basicAsBearer,
      identify(ctx),
      limitRequests(ctx),
      requireBoardAdmin,
      refuseEncodedNul,
      refuseUndecodablePath,
    ),
    serverAdapter.getRouter() as Router,
  );
  return router;
}
