import type { RequestHandler } from "express";
import { badRequest } from "../http/http-error.js";

/**
 * Refuses a URL with an encoded NUL (`%00`) in its path or query: no id, type, tag, cursor or filter contains
 * one, and Postgres cannot hold one in text, so it would otherwise reach a query and fail there. After
 * authentication, like the router's own `malformed_url` for an undecodable escape.
 */
export const refuseEncodedNul: RequestHandler = (req, _res, next) => {
  next(req.originalUrl.includes("%00") ? badRequest("malformed_url", "Malformed URL: it contains an encoded NUL (%00)") : undefined);
};
