import type { Request } from "express";

/** The `route` label of requests that no route matched (404s, and requests middleware answered first). */
export const UNMATCHED_ROUTE = "unmatched";

interface RouteLike {
  path?: unknown;
}

const ROUTE = Symbol("secapi.route");
const TEMPLATE = Symbol("secapi.routeTemplate");

type Watched = Request & { [ROUTE]?: unknown; [TEMPLATE]?: string };

function templateOf(baseUrl: string, route: RouteLike): string {
  const path = typeof route.path === "string" ? route.path : String(route.path);
  const template = `${baseUrl}${path}`;
  return template.length > 1 && template.endsWith("/") ? template.slice(0, -1) : template;
}

/** Request prototypes whose `route` is already an accessor. */
const watchedPrototypes = new WeakSet<object>();

/**
 * Makes `req.route` an accessor on the request's prototype (once per prototype: express's `app.request`), so
 * that the route template can be captured when the router assigns it. On the prototype rather than on each
 * request: an accessor defined on an object slows every other property access on that object.
 */
function watchPrototypeOf(req: Request): void {
  const prototype = Object.getPrototypeOf(req) as object | null;
  if (!prototype || watchedPrototypes.has(prototype)) return;
  watchedPrototypes.add(prototype);
  Object.defineProperty(prototype, "route", {
    configurable: true,
    get(this: Watched): unknown {
      return this[ROUTE];
    },
    set(this: Watched, value: unknown) {
      this[ROUTE] = value;
      if (value && typeof value === "object") this[TEMPLATE] = templateOf(this.baseUrl, value as RouteLike);
    },
  });
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
  watchPrototypeOf(req);
  const watched = req as Watched;
  return () => watched[TEMPLATE] ?? UNMATCHED_ROUTE;
}
