import type { Request, Response } from "express";
import { type RenderedJson, renderJson, renderedJson, sendJsonBytes } from "./rendered-json.js";

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
 * Answers a GET with a cached body and its ETag (given, as a cached scan view stores it, or that of the body's
 * bytes): 304 without a body when `If-None-Match` names it, else the body as JSON, rendered once per cached
 * object. With the ETag given, a 304 renders nothing. The caching headers are set before, so a 304 carries
 * them as the 200 would (RFC 9110 §15.4.5).
 */
export function sendWithEtag(req: Request, res: Response, body: unknown, etag?: string): void {
  if (etag === undefined) return sendRendered(req, res, renderedJson(body));
  res.setHeader("ETag", etag);
  if (matchesIfNoneMatch(req, etag)) res.status(304).end();
  else sendJsonBytes(res, renderedJson(body).bytes);
}

/** `sendWithEtag` for a body built for this response alone (e.g. live usage): rendered, and not remembered. */
export function sendFreshWithEtag(req: Request, res: Response, body: unknown): void {
  sendRendered(req, res, renderJson(body));
}

function sendRendered(req: Request, res: Response, rendered: RenderedJson): void {
  res.setHeader("ETag", rendered.etag);
  if (matchesIfNoneMatch(req, rendered.etag)) res.status(304).end();
  else sendJsonBytes(res, rendered.bytes);
}
