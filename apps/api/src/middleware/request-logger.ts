import { randomUUID } from "node:crypto";
import type { Express, Request, RequestHandler } from "express";
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
const QUIET_PATHS = new Set(["/health", "/ready", "/live"]);
const CHILD_LOGGER = Symbol("secapi.requestLogger");

type WithChild = Request & { [CHILD_LOGGER]?: Logger };

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
    get(this: WithChild): Logger {
      this[CHILD_LOGGER] ??= logger.child({ req: { id: this.id, method: this.method, url: this.originalUrl } });
      return this[CHILD_LOGGER];
    },
  });

  // The completion line has fixed fields and none that redaction looks for: skip its per-line cost there.
  const completions = logger.child({}, { redact: [] });

  return (req, res, next) => {
    const header = req.headers["x-request-id"];
    const id = typeof header === "string" && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
    req.id = id;
    res.setHeader("X-Request-Id", id);
    if (!QUIET_PATHS.has(req.url)) {
      const started = Date.now();
      const { method, url } = req;
      res.once("close", () => {
        const line = {
          req: { id, method, url, remoteAddress: req.socket.remoteAddress },
          res: { statusCode: res.statusCode },
          responseTime: Date.now() - started,
        };
        if (!res.writableFinished) completions.warn(line, "request aborted");
        else if (res.statusCode >= 500) completions.error(line, "request errored");
        else completions.info(line, "request completed");
      });
    }
    next();
  };
}
