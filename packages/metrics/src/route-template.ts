import type { Request } from "express";

/** The `route` label of requests that no route matched (404s, and requests middleware answered first). */
export const UNMATCHED_ROUTE = "unmatched";

interface RouteLike {
  path?: unknown;
}

function templateOf(baseUrl: string, route: RouteLike): string {
  const path = typeof route.path === "string" ? route.path : String(route.path);
  const template = `${baseUrl}${path}`;
  return template.length > 1 && template.endsWith("/") ? template.slice(0, -1) : template;
}

/**
 * Watches which route template handles `req` and returns a reader for it ("/api/v1/scans/:id").
 *
 * Express sets `req.route` when a route matches, while `req.baseUrl` is still the mount path of the router
 * that owns it. Reading both at the end of the request is wrong when the response comes from an error
 * handler outside that router (by then `baseUrl` is restored), so the pair is captured at the moment of
 * the assignment. Mount paths are taken literally: a parameter in a `use()` path would reach the label.
 */
export function watchRouteTemplate(req: Request): () => string {
  let route: unknown = req.route;
  let template: string | undefined;
  Object.defineProperty(req, "route", {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      if (value && typeof value === "object") template = templateOf(req.baseUrl, value as RouteLike);
    },
  });
  return () => template ?? UNMATCHED_ROUTE;
}
