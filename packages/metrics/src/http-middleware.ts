import { performance } from "node:perf_hooks";
import type { RequestHandler } from "express";
import type { Histogram } from "prom-client";
import { watchRouteTemplate } from "./route-template.js";

/** The `status_code` of a request whose client went away before the response was complete (nginx's convention). */
export const CLIENT_CLOSED_STATUS = "499";

/**
 * Observes each request's duration into `histogram` labelled `{method, route, status_code}`, where `route` is
 * the template that handled it, never the raw path, so the number of series stays bounded. Mount it first.
 */
export function createHttpMiddleware(histogram: Histogram<"method" | "route" | "status_code">): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const route = watchRouteTemplate(req);
    // "close" follows "finish" for every response, and alone tells a completed response from an abandoned one.
    res.once("close", () => {
      const seconds = (performance.now() - started) / 1000;
      const statusCode = res.writableFinished ? String(res.statusCode) : CLIENT_CLOSED_STATUS;
      histogram.observe({ method: req.method, route: route(), status_code: statusCode }, seconds);
    });
    next();
  };
}
