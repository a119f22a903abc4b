import { etagOfJson } from "@secapi/core";
import type { Response } from "express";

/** A JSON body as sent: its bytes, and the strong ETag of those bytes. */
export interface RenderedJson {
  bytes: Buffer;
  etag: string;
}

const rendered = new WeakMap<object, RenderedJson>();

/**
 * `body` serialized, and its ETag, computed once per object. A cached entry comes back from the cache's L1 as
 * the same object on every hit, and nothing mutates what the cache returns, so every hit after the first sends
 * bytes made once; an entry replaced or reloaded is a new object, rendered anew. Only for such long-lived
 * objects: a body built for one response is better rendered by `renderJson` (a WeakMap entry is work for the GC).
 */
export function renderedJson(body: unknown): RenderedJson {
  if (typeof body !== "object" || body === null) return renderJson(body);
  let found = rendered.get(body);
  if (!found) {
    found = renderJson(body);
    rendered.set(body, found);
  }
  return found;
}

/** `body` serialized, and its ETag, without remembering them. */
export function renderJson(body: unknown): RenderedJson {
  // `undefined` renders as express renders it: no body.
  const json = JSON.stringify(body) ?? "";
  return { bytes: Buffer.from(json), etag: etagOfJson(json) };
}

/** Sends JSON bytes as `res.json` would, without its per-request serialization, charset parsing and ETag hashing. */
export function sendJsonBytes(res: Response, bytes: Buffer): void {
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.setHeader("Content-Length", bytes.length);
  res.end(bytes);
}
