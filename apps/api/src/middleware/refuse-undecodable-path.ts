import type { RequestHandler } from "express";
import { badRequest } from "../http/http-error.js";

/**
 * Refuses a path with a percent-encoding that does not decode (`%ZZ`, a truncated or invalid UTF-8 sequence), as
 * our own routes do when the router decodes their parameters. For handlers mounted from a library (Bull Board),
 * which would otherwise answer in their own shape, or not at all for a path without parameters.
 */
export const refuseUndecodablePath: RequestHandler = (req, _res, next) => {
  const path = req.originalUrl.split("?", 1)[0] ?? "";
  try {
    decodeURIComponent(path);
  } catch {
    return next(badRequest("malformed_url", "Malformed URL: the path has a percent-encoding that does not decode"));
  }
  next();
};
