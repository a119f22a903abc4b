import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { ImageArchiveError } from "./image-archive-error.js";
import { normalizeEntryPath } from "./entry-path.js";

/** One regular file of the outer archive, copied to disk under a name of our choosing. */
export interface StagedFile {
  /** Where it was staged (inside the work dir). */
  file: string;
  size: number;
  /** `sha256:<hex>` of its bytes, computed while staging (blobs are verified against it). */
  digest: string;
}

/** An archive's files by their normalised path inside the archive (`manifest.json`, `blobs/sha256/<hex>`). */
export type StagedArchive = Map<string, StagedFile>;

type ArchiveSource = AsyncIterable<Uint8Array> | NodeJS.ReadableStream;

/**
 * Reads the outer tar once, writing each regular file to `dir` (never whole in memory) and hashing it on the way.
 * Bytes are counted as they arrive: past `maxBytes` the read stops with `image_too_large`. A gzipped archive
 * (`docker save | gzip`) is read too, its expanded bytes bounded by `maxExpandedBytes`.
 */
export async function stageArchive(
  source: ArchiveSource,
  dir: string,
  bounds: { maxBytes: number; maxExpandedBytes: number },
): Promise<StagedArchive> {
  const staged: StagedArchive = new Map();
  const links = new Map<string, string>();
  const extract = tar.extract();
  const feeding = pipeline(Readable.from(gunzippedIfGzip(countedChunks(source, bounds.maxBytes), bounds.maxExpandedBytes)), extract);
  // Iteration below sees the same failure; this only keeps the promise from being reported as unhandled.
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const path = normalizeEntryPath(entry.header.name);
      const target = entry.header.type === "symlink" && path !== null ? linkTarget(path, entry.header.linkname ?? "") : null;
      if (target !== null && path !== null) links.set(path, target);
      if (entry.header.type !== "file" || path === null || staged.has(path)) {
        entry.resume();
        continue;
      }
      const file = join(dir, `entry-${staged.size}`);
      const hash = createHash("sha256");
      let size = 0;
      const hashing = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          size += chunk.length;
          done(null, chunk);
        },
      });
      await pipeline(entry, hashing, createWriteStream(file, { flags: "wx" }));
      staged.set(path, { file, size, digest: `sha256:${hash.digest("hex")}` });
    }
    await feeding;
    // Older `docker save` writes a repeated layer once and links the others to it; links to links are not followed.
    for (const [path, target] of links) {
      const file = staged.get(target);
      if (file !== undefined && !staged.has(path)) staged.set(path, file);
    }
  } catch (error) {
    if (error instanceof ImageArchiveError) throw error;
    throw new ImageArchiveError("image_archive_invalid", `not a readable tar archive: ${messageOf(error)}`, { cause: error });
  }
  return staged;
}

/** A symlink's target as an archive path (relative to the link's folder), or null when it leaves the archive. */
function linkTarget(path: string, linkname: string): string | null {
  if (linkname.startsWith("/")) return null;
  const dir = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : "";
  const segments: string[] = [];
  for (const segment of `${dir}/${linkname}`.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") {
      if (segments.pop() === undefined) return null;
    } else segments.push(segment);
  }
  return segments.length === 0 ? null : segments.join("/");
}

/** The chunks as they are, or gunzipped when the first bytes are gzip's magic. */
async function* gunzippedIfGzip(chunks: AsyncGenerator<Buffer>, maxExpandedBytes: number): AsyncGenerator<Buffer> {
  const first = await chunks.next();
  if (first.done === true) return;
  async function* all(): AsyncGenerator<Buffer> {
    yield first.value;
    yield* chunks;
  }
  if (first.value[0] !== 0x1f || first.value[1] !== 0x8b) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  const inflating = pipeline(Readable.from(all()), gunzip);
  inflating.catch(() => undefined);
  let total = 0;
  for await (const chunk of gunzip as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxExpandedBytes) {
      throw new ImageArchiveError("image_too_large", `gzipped image archive expands past ${maxExpandedBytes} bytes`);
    }
    yield chunk;
  }
  await inflating;
}

async function* countedChunks(source: ArchiveSource, maxBytes: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of source as AsyncIterable<Uint8Array | string>) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    total += bytes.length;
    if (total > maxBytes) throw new ImageArchiveError("image_too_large", `image archive is larger than ${maxBytes} bytes`);
    yield bytes;
  }
}

/** The message of a thrown value, for wrapping library errors. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
