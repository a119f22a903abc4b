import type { Request, Response } from "express";

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

/**
 * Answers a GET with its ETag: 304 without a body when `If-None-Match` names it, else the body as JSON. The
 * caching headers are set before, so a 304 carries them as the 200 would (RFC 9110 §15.4.5).
 */
export function sendWithEtag(req: Request, res: Response, etag: string, body: unknown): void {
  res.set("ETag", etag);
  if (matchesIfNoneMatch(req, etag)) res.status(304).end();
  else res.json(body);
}
