import type { Request } from "express";

/** Path patterns of the API's routes with parameters, as their templates. */
const TEMPLATES: [RegExp, string][] = [
  [/^\/api\/v1\/scans\/[^/]+$/, "/api/v1/scans/:id"],
  [/^\/api\/v1\/scan\/[^/]+$/, "/api/v1/scan/:type"],
  [/^\/api\/v1\/admin\/users\/[^/]+$/, "/api/v1/admin/users/:id"],
  [/^\/api\/v1\/cache\/tags\/.+$/, "/api/v1/cache/tags/:tag"],
];

const FIXED = new Set([
  "/api/v1/scans",
  "/api/v1/usage",
  "/api/v1/stats",
  "/api/v1/cache/stats",
  "/api/v1/cache/keys",
  "/api/v1/cache/health",
  "/api/v1/cache/flush",
  "/api/v1/admin/users",
  "/api/v1/admin/advisories",
]);

/**
 * The `endpoint` label of a rate-limited request. The limiter runs before routing, so the route template
 * is not known yet; this maps the path to it, and anything else to "other", keeping the label bounded.
 */
export function endpointOf(req: Request): string {
  const path = (req.originalUrl.split("?")[0] ?? "").replace(/\/+$/, "");
  if (FIXED.has(path)) return path;
  return TEMPLATES.find(([pattern]) => pattern.test(path))?.[1] ?? "other";
}
