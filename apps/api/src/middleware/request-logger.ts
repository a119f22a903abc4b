import { randomUUID } from "node:crypto";
import type { Express, Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- express types are augmented through this namespace
  namespace Express {
    interface Request {
      /** The request id: the client's `X-Request-Id` if it is sane, a new UUID otherwise. */
      id: string;
      /** A logger whose lines carry this request's id, method and url. */
      log: Logger;
    }
  }
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
const QUIET_PATHS = new Set(["/health", "/ready"]);
const CHILD_LOGGER = Symbol("secapi.requestLogger");
const STARTED = Symbol("secapi.requestStarted");

type Logged = Request & { [CHILD_LOGGER]?: Logger; [STARTED]?: number };

/**
 * One JSON line per request (`req` {id, method, url, remoteAddress}, `res` {statusCode}, `responseTime` ms;
 * level error for 5xx), carrying a request id that is echoed in `X-Request-Id`. Headers are not logged at all,
 * so keys cannot leak through them. Health probes are not logged.
 *
 * Written here rather than with pino-http, which on the cache-hit read path cost more CPU than the route
 * itself: it builds a child logger (serializing its bindings) for every request. Here `req.log` is made only
 * when a handler logs, and the completion line is one `logger.info` call.
 */
export function requestLogger(app: Express, logger: Logger): RequestHandler {
  // On express's request prototype: an accessor defined on each request object would slow every property access on it.
  Object.defineProperty(app.request, "log", {
    configurable: true,
    get(this: Logged): Logger {
      this[CHILD_LOGGER] ??= logger.child({ req: { id: this.id, method: this.method, url: this.originalUrl } });
      return this[CHILD_LOGGER];
    },
  });

  // The completion line has fixed fields and none that redaction looks for: skip its per-line cost there.
  const completions = logger.child({}, { redact: [] });

  // One listener function for every response, and `on` rather than `once` ("close" comes once): no closure and
  // no once-wrapper per request. The logger is mounted first, so `originalUrl` is the url it saw.
  function logCompletion(this: Response): void {
    const req = this.req as Logged;
    const line = {
      req: { id: req.id, method: req.method, url: req.originalUrl, remoteAddress: req.socket.remoteAddress },
      res: { statusCode: this.statusCode },
      responseTime: Date.now() - (req[STARTED] ?? 0),
    };
    if (!this.writableFinished) completions.warn(line, "request aborted");
    else if (this.statusCode >= 500) completions.error(line, "request errored");
    else completions.info(line, "request completed");
  }

  return (req, res, next) => {
    const header = req.headers["x-request-id"];
    const id = typeof header === "string" && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
    req.id = id;
    res.setHeader("X-Request-Id", id);
    if (!QUIET_PATHS.has(req.url)) {
      (req as Logged)[STARTED] = Date.now();
      res.on("close", logCompletion);
    }
    next();
  };
}
