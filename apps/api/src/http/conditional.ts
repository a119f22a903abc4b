import type { Request } from "express";

/**
 * Whether `If-None-Match` names this ETag (weak comparison, RFC 9110 §13.1.2). As the origin we answer
 * 304 whatever the request's Cache-Control says: `no-cache` asks caches to revalidate, which this is.
 */
export function matchesIfNoneMatch(req: Request, etag: string): boolean {
  const header = req.headers["if-none-match"];
  if (!header) return false;
  if (header.trim() === "*") return true;
  const bare = etag.replace(/^W\//, "");
  return header.split(",").some((tag) => tag.trim().replace(/^W\//, "") === bare);
}
