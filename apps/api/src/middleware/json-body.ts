import express, { type NextFunction, type Request, type RequestHandler } from "express";
import { HttpError } from "../http/http-error.js";

/** Scan inputs (any JSON body) are at most 5 MB (docs/API.md "Submitting a scan"). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Bodies above this are kept as text for the routes to parse off the event loop (BodyThreads). */
export const OFF_THREAD_BODY_BYTES = 64 * 1024;

/** A JSON body too large to parse on the event loop: its text, for a route to hand to a thread. */
export class LargeJsonBody {
  constructor(readonly text: string) {}
}

/**
 * The Content-Type most JSON clients send, recognised without type-is and content-type: `application/json`, with
 * at most a UTF-8 charset. Anything else (other charsets, `+json` types, parameters) goes through body-parser.
 */
const PLAIN_JSON_TYPE = /^application\/json(?:\s*;\s*charset="?utf-8"?)?$/i;

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
  if (!chunked && length <= OFF_THREAD_BODY_BYTES && isPlainJson(req)) return readSmallJson(req, length, next);
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

/** A small body as most clients send it: identity-encoded UTF-8 JSON, whose reading needs none of body-parser's options. */
function isPlainJson(req: Request): boolean {
  const type = req.headers["content-type"];
  const encoding = req.headers["content-encoding"];
  return type !== undefined && PLAIN_JSON_TYPE.test(type) && (encoding === undefined || encoding.toLowerCase() === "identity");
}

/**
 * Reads and parses a body of a known small `length` as body-parser would for the same request (a leading BOM
 * dropped, an empty text read as `{}`, its errors as the error handler words them), without its per-request
 * machinery: type-is, content-type, raw-body, iconv-lite and on-finished were ~15 µs of a cached submission.
 */
function readSmallJson(req: Request, length: number, next: NextFunction): void {
  const chunks: Buffer[] = [];
  let received = 0;
  const finish = (error?: HttpError) => {
    req.off("data", onData);
    req.off("end", onEnd);
    req.off("error", onError);
    req.off("close", onClose);
    if (error) return next(error);
    const bytes = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
    const text = bytes.toString("utf8");
    try {
      req.body = parseBodyText(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (parseError) {
      return next(new HttpError(400, "malformed_json", `Request body is not valid JSON: ${(parseError as Error).message}`));
    }
    next();
  };
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    received += chunk.length;
  };
  const onEnd = () =>
    finish(received === length ? undefined : new HttpError(400, "bad_request", "request size did not match content length"));
  const onError = () => finish(aborted());
  const onClose = () => finish(aborted());
  req.on("data", onData);
  req.on("end", onEnd);
  req.on("error", onError);
  req.on("close", onClose);
}

const aborted = () => new HttpError(400, "request_aborted", "The client aborted the request");

/** body-parser's reading of a JSON text (with `strict: false`): an empty body is a common mistake, taken as `{}`. */
export function parseBodyText(text: string): unknown {
  return text.length === 0 ? {} : JSON.parse(text);
}
