import express, { type RequestHandler } from "express";
import { HttpError } from "../http/http-error.js";

/** DESIGN.md: scan inputs are at most 5 MB. */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

const parseJson = express.json({ limit: MAX_BODY_BYTES, strict: false, type: () => true });

/**
 * Accepts only JSON bodies (415 otherwise) and parses them (400 malformed, 413 too large). Requests
 * without a body pass through with `req.body` undefined.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
  if (!hasBody) return next();
  if (!req.is(["application/json", "application/*+json"])) {
    return next(
      new HttpError(415, "unsupported_media_type", `Content-Type must be application/json, got ${req.headers["content-type"] ?? "none"}`),
    );
  }
  return parseJson(req, res, next);
};
