import type { Request, Response } from "express";
import { renderedJson, sendJsonBytes } from "./rendered-json.js";

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
 * Answers a GET with its ETag (given, as a cached scan view stores it, or that of the body's bytes): 304 without
 * a body when `If-None-Match` names it, else the body as JSON, rendered once per cached object. The caching
 * headers are set before, so a 304 carries them as the 200 would (RFC 9110 §15.4.5).
 */
export function sendWithEtag(req: Request, res: Response, body: unknown, etag?: string): void {
  const rendered = renderedJson(body);
  const tag = etag ?? rendered.etag;
  res.setHeader("ETag", tag);
  if (matchesIfNoneMatch(req, tag)) res.status(304).end();
  else sendJsonBytes(res, rendered.bytes);
}
