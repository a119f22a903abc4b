import express, { type Request, type RequestHandler } from "express";
import { HttpError } from "../http/http-error.js";

/** Scan inputs (any JSON body) are at most 5 MB (docs/API.md "Submitting a scan"). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Bodies above this are kept as text for the routes to parse off the event loop (BodyThreads). */
export const OFF_THREAD_BODY_BYTES = 64 * 1024;

/** A JSON body too large to parse on the event loop: its text, for a route to hand to a thread. */
export class LargeJsonBody {
  constructor(readonly text: string) {}
}

const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true });
const readText = express.text({ limit: MAX_BODY_BYTES, type: () => true, defaultCharset: "utf-8" });

/**
 * Accepts only JSON bodies (415 otherwise) and parses them (400 malformed, 413 too large). Requests
 * without a body pass through with `req.body` undefined. A body over OFF_THREAD_BODY_BYTES (or of unknown
 * length) is read but not parsed: `req.body` is a LargeJsonBody.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  const chunked = req.headers["transfer-encoding"] !== undefined;
  const length = Number(req.headers["content-length"] ?? 0);
  if (!chunked && !(length > 0)) return next();
  if (!req.is(["application/json", "application/*+json"])) {
    return next(
      new HttpError(415, "unsupported_media_type", `Content-Type must be application/json, got ${req.headers["content-type"] ?? "none"}`),
    );
  }
  if (!chunked && length <= OFF_THREAD_BODY_BYTES) return parseJson(req, res, next);
  return readText(req, res, (error?: unknown) => {
    if (error) return next(error);
    req.body = new LargeJsonBody(typeof req.body === "string" ? req.body : "");
    next();
  });
};

/**
 * The request's JSON body, parsed on the event loop if it came as a LargeJsonBody: for routes whose bodies are
 * small by nature, where a large one is a mistake that validation will name.
 */
export function jsonBodyOf(req: Request): unknown {
  if (!(req.body instanceof LargeJsonBody)) return req.body;
  try {
    return JSON.parse(req.body.text);
  } catch (error) {
    throw new HttpError(400, "malformed_json", `Request body is not valid JSON: ${(error as Error).message}`);
  }
}
