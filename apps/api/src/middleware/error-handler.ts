import { CacheUnavailableError } from "@secapi/cache";
import { InputRefusedError, UnstorableInputError, UserExistsError, UserNotFoundError } from "@secapi/core";
import { invalidValueReason, isDatabaseUnavailableError } from "@secapi/db";
import { DependencyInputError } from "@secapi/scanners";
import type { ErrorRequestHandler } from "express";
import type { Logger } from "pino";
import { uncacheable } from "../http/cache-control.js";
import { HttpError } from "../http/http-error.js";

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
  limit?: number;
}

/** Maps what the body parser throws to our error shape. */
function fromBodyParser(error: BodyParserError & Error): HttpError | undefined {
  switch (error.type) {
    case "entity.parse.failed":
      return new HttpError(400, "malformed_json", `Request body is not valid JSON: ${error.message}`);
    case "entity.too.large":
      return new HttpError(413, "payload_too_large", `Request body exceeds the ${error.limit ?? 0}-byte limit`);
    case "encoding.unsupported":
    case "charset.unsupported":
      return new HttpError(415, "unsupported_encoding", error.message);
    case "request.aborted":
      return new HttpError(400, "request_aborted", "The client aborted the request");
    default:
      return error.status && error.status >= 400 && error.status < 500 && error.expose
        ? new HttpError(error.status, "bad_request", error.message)
        : undefined;
  }
}

/** The code of a 400 for a value Postgres refused (toHttpError). */
const INVALID_VALUE = "invalid_value";

/** The API error an exception stands for, if it is an expected one (a 4xx, or a 503 for a dependency away). */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  // The router decodes every path parameter with decodeURIComponent; a `%` escape that is not valid UTF-8
  // (`%ZZ`, `%E0%A4%A`) throws URIError before any handler runs, on every route.
  if (error instanceof URIError) return new HttpError(400, "malformed_url", `Malformed URL: ${error.message}`);
  if (error instanceof UserExistsError) return new HttpError(409, error.code, error.message);
  if (error instanceof UserNotFoundError) return new HttpError(404, error.code, error.message);
  if (error instanceof CacheUnavailableError) {
    return new HttpError(503, error.code, "The cache Redis is unavailable; try again shortly", {}, { "Retry-After": "5" });
  }
  // Postgres away (refused, dropped, restarting, pool exhausted): nothing was written, the client may retry.
  if (isDatabaseUnavailableError(error)) {
    return new HttpError(503, "database_unavailable", "The database is unavailable; try again shortly", {}, { "Retry-After": "5" });
  }
  // A value Postgres refuses (a NUL, a malformed UUID, a number out of range) that validation let through: the
  // same request fails the same way every time, so it is the client's to fix, not a 500.
  const reason = invalidValueReason(error);
  if (reason !== undefined) return new HttpError(400, INVALID_VALUE, `A value in the request ${reason}`);
  // Well-formed JSON whose lockfile or SBOM cannot be used.
  if (error instanceof DependencyInputError) return new HttpError(422, error.code, error.message);
  if (error instanceof UnstorableInputError) return new HttpError(422, error.code, error.message);
  if (error instanceof InputRefusedError) return new HttpError(422, error.code, error.message);
  if (error instanceof Error) return fromBodyParser(error as BodyParserError & Error);
  return undefined;
}

/** The one place errors become responses: `{error, code, ...details}`; anything unexpected is a logged 500. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    uncacheable(res);
    const known = toHttpError(error);
    // Answered, but a route's validation missed the value: worth a line so that it gets its own check.
    if (known?.code === INVALID_VALUE) (req.log ?? logger).warn({ err: error }, "Postgres refused a request value");
    if (known) {
      res
        .set(known.headers)
        .status(known.status)
        .json({ error: known.message, code: known.code, ...known.details });
      return;
    }
    (req.log ?? logger).error({ err: error }, "unhandled error");
    res.status(500).json({ error: "Internal server error", code: "internal_error" });
  };
}
