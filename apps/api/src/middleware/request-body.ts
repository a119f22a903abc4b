import type { Request, RequestHandler } from "express";
import { HttpError } from "../http/http-error.js";
import { IMAGE_ARCHIVE_MEDIA_TYPE } from "../scans/receive-archive.js";
import { jsonBody } from "./json-body.js";

/** `POST /api/v1/scan/image` (under the API router): the one route that takes a body other than JSON. */
const isImageRoute = (req: Request) => req.method === "POST" && req.path === "/scan/image";

/**
 * Bodies are JSON (jsonBody), except an image archive sent to `POST /scan/image`, which is left unread for the
 * route to stream to disk. A body of any other type sent there is a 415 that names both accepted types.
 */
export const requestBody: RequestHandler = (req, res, next) => {
  if (!isImageRoute(req) || !req.headers["content-type"]) return jsonBody(req, res, next);
  if (req.is(IMAGE_ARCHIVE_MEDIA_TYPE)) return next();
  if (req.is(["application/json", "application/*+json"])) return jsonBody(req, res, next);
  next(
    new HttpError(
      415,
      "unsupported_media_type",
      `Content-Type must be ${IMAGE_ARCHIVE_MEDIA_TYPE} (an image archive) or application/json ({"image": "<reference>"}), got ${req.headers["content-type"]}`,
    ),
  );
};
