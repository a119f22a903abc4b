import { createHash, randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Request } from "express";
import { exemptFromRequestTimeout } from "../http/exempt-from-request-timeout.js";
import { HttpError } from "../http/http-error.js";

export { IMAGE_ARCHIVE_MEDIA_TYPE } from "@secapi/core";

/** An uploaded archive on this machine's disk, until it is stored for the workers or answered from the cache. */
export interface ReceivedArchive {
  file: string;
  /** `sha256:<hex>` of its bytes. */
  digest: string;
  size: number;
  /** Deletes the file (idempotent). */
  remove(): Promise<void>;
}

/**
 * How much of an over-size body is still read (and discarded) after the 413. A client that writes its whole
 * body before it reads the answer (fetch, most HTTP libraries) would otherwise see its write fail with EPIPE or
 * ECONNRESET and never the 413: servers "linger" on close for this reason. Beyond it, the connection is cut.
 */
export const LINGER_BYTES = 16 * 1024 * 1024;
const LINGER_MS = 10_000;

const tooLarge = (maxBytes: number) =>
  new HttpError(413, "payload_too_large", `The image archive exceeds IMAGE_MAX_BYTES (${maxBytes} bytes)`, { limit: maxBytes });

/** Reads and drops the rest of the body, at most LINGER_BYTES or LINGER_MS, so the client gets to read the 413. */
function lingerOnRestOfBody(req: Request): void {
  let discarded = 0;
  const cut = () => req.socket.destroy();
  const deadline = setTimeout(cut, LINGER_MS);
  deadline.unref();
  req.on("data", (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) cut();
  });
  req.once("close", () => clearTimeout(deadline));
  req.resume();
}

/**
 * Lets the client read an answer given before its body was read (a 413 by Content-Length, a 429 over the scan
 * quota): the rest of the body is drained, or, when it declares more than LINGER_BYTES, the answer closes the
 * connection (`Connection: close`).
 */
export function answerBeforeBody(req: Request): void {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > LINGER_BYTES) req.res?.setHeader("Connection", "close");
  else lingerOnRestOfBody(req);
}

const stalled = (idleTimeoutMs: number) =>
  new HttpError(
    408,
    "upload_stalled",
    `The upload sent nothing for ${idleTimeoutMs} ms (IMAGE_UPLOAD_IDLE_TIMEOUT_MS)`,
    { idle_timeout_ms: idleTimeoutMs },
    { Connection: "close" },
  );

/** How much an upload may send, and how long it may pause. */
export interface ArchiveBounds {
  /** `IMAGE_MAX_BYTES`. */
  maxBytes: number;
  /** `IMAGE_UPLOAD_IDLE_TIMEOUT_MS`: the longest gap between two chunks of the body. */
  idleTimeoutMs: number;
}

/**
 * Streams a request body to a temporary file, hashing and counting it on the way: never whole in memory. Over
 * `maxBytes` (declared by Content-Length, or counted) it stops with a 413 and the file is removed, as it is when
 * the client goes away half-way. An upload may take as long as it keeps sending (the server's request timeout
 * does not apply: 2 GiB on a slow link takes long), but a pause longer than `idleTimeoutMs` ends it with a 408.
 */
export async function receiveArchive(req: Request, { maxBytes, idleTimeoutMs }: ArchiveBounds): Promise<ReceivedArchive> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    answerBeforeBody(req);
    throw tooLarge(maxBytes);
  }
  if (req.res !== undefined) exemptFromRequestTimeout(req, req.res);
  const file = join(tmpdir(), `secapi-upload-${randomUUID()}.tar`);
  const remove = () => rm(file, { force: true });
  const hash = createHash("sha256");
  let size = 0;
  const idle = setTimeout(() => counting.destroy(stalled(idleTimeoutMs)), idleTimeoutMs);
  const overSize = tooLarge(maxBytes);
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      idle.refresh();
      size += chunk.length;
      if (size > maxBytes) return done(overSize);
      hash.update(chunk);
      done(null, chunk);
    },
  });
  // `pipe`, not `pipeline`, from the request: an over-size body must leave the socket open for the 413.
  req.once("close", () => {
    if (!req.complete) counting.destroy(new HttpError(400, "request_aborted", "The client aborted the upload"));
  });
  req.pipe(counting);
  try {
    await pipeline(counting, createWriteStream(file, { flags: "wx" }));
  } catch (error) {
    req.unpipe(counting);
    if (error === overSize) lingerOnRestOfBody(req);
    await remove();
    throw error;
  } finally {
    clearTimeout(idle);
  }
  if (size === 0) {
    await remove();
    throw new HttpError(400, "empty_archive", "The request has no body: send the image archive (docker save IMAGE) as the body");
  }
  return { file, digest: `sha256:${hash.digest("hex")}`, size, remove };
}
