import { performance } from "node:perf_hooks";
import type { RequestHandler, Response } from "express";
import type { Histogram } from "prom-client";
import { routeTemplateOf, watchRouteTemplate } from "./route-template.js";

/** The `status_code` of a request whose client went away before the response was complete (nginx's convention). */
export const CLIENT_CLOSED_STATUS = "499";

const STARTED = Symbol("secapi.httpStarted");

type Timed = Response & { [STARTED]?: number };

/**
 * Observes each request's duration into `histogram` labelled `{method, route, status_code}`, where `route` is
 * the template that handled it, never the raw path, so the number of series stays bounded. Mount it first.
 */
export function createHttpMiddleware(histogram: Histogram<"method" | "route" | "status_code">): RequestHandler {
  // One listener function for every response, and `on` rather than `once` ("close" comes once): no closure and
  // no once-wrapper per request.
  function observe(this: Timed): void {
    const seconds = (performance.now() - (this[STARTED] ?? 0)) / 1000;
    const statusCode = this.writableFinished ? String(this.statusCode) : CLIENT_CLOSED_STATUS;
    histogram.observe({ method: this.req.method, route: routeTemplateOf(this.req), status_code: statusCode }, seconds);
  }
  return (req, res, next) => {
    (res as Timed)[STARTED] = performance.now();
    watchRouteTemplate(req);
    // "close" follows "finish" for every response, and alone tells a completed response from an abandoned one.
    res.on("close", observe);
    next();
  };
}
