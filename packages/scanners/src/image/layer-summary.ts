import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import tar from "tar-stream";
import type { UncheckedEntry } from "../dependencies/package-set.js";
import { normalizeEntryPath } from "./entry-path.js";
import { ImageArchiveError } from "./image-archive-error.js";
import {
  type PackageFileContent,
  type RpmDatabaseKind,
  isRpmDatabaseKind,
  packageFileKind,
  readPackageFile,
} from "./installed-package-files.js";
import {
  DEFAULT_MAX_BINARY_BYTES,
  isExecutableMode,
  isJavaArchivePath,
  readExecutableEntry,
  readJavaArchiveEntry,
  tooBigBinary,
} from "./language-binaries.js";
import { layerStreams } from "./layer-stream.js";
import { rpmSqliteFileSummary, unreadRpmDatabase } from "./rpm/rpm-database-file.js";
import { messageOf } from "./stage-archive.js";

/**
 * The format of LayerSummary. Bump it whenever what a summary holds or how a file is parsed changes (new metadata
 * kinds, parser fixes): summaries of another version are ignored and the layer is read again.
 */
export const LAYER_SUMMARY_VERSION = 4;

/**
 * What one layer contributes to an image's packages, independent of the layers below it: a layer's digest fixes
 * its bytes, so a summary is valid for every image that has the layer and holds no user data. Plain JSON.
 */
export interface LayerSummary {
  version: typeof LAYER_SUMMARY_VERSION;
  /**
   * The package metadata files the layer writes (path without a leading `/`), parsed; since version 2 also its
   * Go binaries (build info) and Java archives (pom.properties), as package lists at their paths; since version 3
   * rpm databases (`rpmdb.sqlite` read, BerkeleyDB and ndb noted as unread); since version 4 applications'
   * lockfiles (`Gemfile.lock`, `composer.lock`…, see image-lockfiles.ts).
   */
  files: Record<string, PackageFileContent>;
  /** Paths the layer deletes from lower layers (`.wh.<name>` entries), with everything below them. */
  whiteouts: string[];
  /** Directories whose lower-layer content the layer hides (`.wh..wh..opq`). */
  opaqueDirs: string[];
  /**
   * Paths where the layer puts something other than a directory or a parsed metadata file that may hide lower
   * metadata: links (a `lib -> usr/lib` symlink hides a lower `lib/apk/...`) and metadata paths it writes unread.
   */
  hidden: string[];
  /** Metadata files, executables and archives too big to read; pre-1.18 Go binaries; unreadable jars. */
  unchecked: UncheckedEntry[];
}

/**
 * Where layer summaries are kept between analyses, by layer digest (`sha256:…`). Implementations may lose entries
 * at any time (a cache); a failing `get` or `set` only costs a re-read, never the analysis.
 */
export interface LayerSummaryStore {
  get(digest: string): Promise<LayerSummary | undefined>;
  set(digest: string, summary: LayerSummary): Promise<void>;
}

/** A LayerSummaryStore in a Map (tests, a single process); it copies through JSON as a remote store would. */
export class InMemoryLayerSummaryStore implements LayerSummaryStore {
  readonly summaries = new Map<string, string>();

  get(digest: string): Promise<LayerSummary | undefined> {
    const json = this.summaries.get(digest);
    return Promise.resolve(json === undefined ? undefined : (JSON.parse(json) as LayerSummary));
  }

  set(digest: string, summary: LayerSummary): Promise<void> {
    this.summaries.set(digest, JSON.stringify(summary));
    return Promise.resolve();
  }
}

/** Whether a stored value is a summary of the current format (anything else is ignored, not trusted). */
export function isCurrentLayerSummary(value: unknown): value is LayerSummary {
  if (typeof value !== "object" || value === null) return false;
  const summary = value as Partial<LayerSummary>;
  return (
    summary.version === LAYER_SUMMARY_VERSION &&
    typeof summary.files === "object" &&
    summary.files !== null &&
    [summary.whiteouts, summary.opaqueDirs, summary.hidden, summary.unchecked].every(Array.isArray)
  );
}

/** The cached summary of `digest`, or undefined when there is none, it is of another format, or the store fails. */
export async function cachedLayerSummary(store: LayerSummaryStore | undefined, digest: string): Promise<LayerSummary | undefined> {
  if (store === undefined) return undefined;
  try {
    const summary = await store.get(digest);
    return isCurrentLayerSummary(summary) ? summary : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps a summary; a store that fails is ignored (the next analysis reads the layer again). */
export async function keepLayerSummary(store: LayerSummaryStore | undefined, digest: string, summary: LayerSummary): Promise<void> {
  try {
    await store?.set(digest, summary);
  } catch {
    // A cache outage must not fail the scan.
  }
}

/** Bounds for reading one layer. */
export interface LayerReadLimits {
  /** Bytes the image's layers may still expand to; decremented as this layer is read (shared across layers). */
  budget: { remaining: number };
  maxFileBytes: number;
  /** Largest executable (Go build info), Java archive or rpm database read. Default DEFAULT_MAX_BINARY_BYTES. */
  maxBinaryBytes?: number;
}

/** Reads a staged layer blob (gzip, zstd or plain tar) once and summarises the package metadata it adds and removes. */
export async function summarizeLayer(file: string, digest: string, limits: LayerReadLimits): Promise<LayerSummary> {
  const summary: LayerSummary = { version: LAYER_SUMMARY_VERSION, files: {}, whiteouts: [], opaqueDirs: [], hidden: [], unchecked: [] };
  const extract = tar.extract();
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      limits.budget.remaining -= chunk.length;
      if (limits.budget.remaining < 0) done(new ImageArchiveError("image_too_large", `layer ${digest} expands past the image size bound`));
      else done(null, chunk);
    },
  });
  const [raw, decoder] = await layerStreams(file, digest);
  const feeding = decoder === undefined ? pipeline(raw, counting, extract) : pipeline(raw, decoder, counting, extract);
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const path = normalizeEntryPath(entry.header.name);
      if (path === null || entry.header.type === "directory" || recordWhiteout(summary, path)) {
        entry.resume();
        continue;
      }
      const kind = packageFileKind(path);
      const javaArchive = isJavaArchivePath(path);
      if (entry.header.type !== "file") {
        if (kind !== undefined || javaArchive || entry.header.type === "symlink" || entry.header.type === "link") hide(summary, path);
        entry.resume();
        continue;
      }
      if (kind !== undefined && isRpmDatabaseKind(kind)) {
        await summarizeRpmDatabase(summary, entry, path, kind, limits);
        continue;
      }
      if (kind === undefined) {
        if (javaArchive || isExecutableMode(entry.header.mode)) {
          await summarizeBinary(summary, entry, path, javaArchive, `${file}.archive`, limits);
        } else {
          entry.resume();
        }
        continue;
      }
      const text = await readCapped(entry, limits.maxFileBytes);
      if (text === null) {
        hide(summary, path);
        summary.unchecked.push({
          ecosystem: "unknown",
          name: path,
          spec: `/${path}`,
          kind: "malformed_entry",
          reason: `file larger than ${limits.maxFileBytes} bytes, not read`,
        });
        continue;
      }
      summary.files[path] = readPackageFile(kind, text, path);
    }
    await feeding;
  } catch (error) {
    if (error instanceof ImageArchiveError) throw error;
    throw new ImageArchiveError("image_archive_invalid", `layer ${digest} is not a readable tar: ${messageOf(error)}`, { cause: error });
  }
  return summary;
}

/** A Go binary or Java archive entry: its packages, or a note, or (another ELF) the lower file it replaces. */
async function summarizeBinary(
  summary: LayerSummary,
  entry: tar.Entry,
  path: string,
  javaArchive: boolean,
  scratchFile: string,
  limits: LayerReadLimits,
): Promise<void> {
  const max = limits.maxBinaryBytes ?? DEFAULT_MAX_BINARY_BYTES;
  if ((entry.header.size ?? 0) > max) {
    hide(summary, path);
    summary.unchecked.push(tooBigBinary(path, max));
    entry.resume();
    return;
  }
  const result = javaArchive ? await readJavaArchiveEntry(entry, path, scratchFile) : await readExecutableEntry(entry, path);
  if (result.unchecked !== undefined) summary.unchecked.push(result.unchecked);
  if (result.packages !== undefined) summary.files[path] = { type: "packages", packages: result.packages };
  else if (javaArchive || result.otherElf === true) hide(summary, path);
}

/**
 * An rpm database: `rpmdb.sqlite` is read whole into memory (SQLite needs random access; sql.js works on a copy in
 * its own heap), so it is bounded like binaries; BerkeleyDB and ndb files are only noted, their bytes skipped.
 */
async function summarizeRpmDatabase(summary: LayerSummary, entry: tar.Entry, path: string, kind: RpmDatabaseKind, limits: LayerReadLimits) {
  if (kind !== "rpm-sqlite") {
    entry.resume();
    summary.files[path] = unreadRpmDatabase(kind);
    return;
  }
  const max = limits.maxBinaryBytes ?? DEFAULT_MAX_BINARY_BYTES;
  const bytes = await readCappedBytes(entry, max);
  if (bytes === null) {
    hide(summary, path);
    const reason = `rpm database larger than ${max} bytes, not read: the image's rpm packages are not checked`;
    summary.unchecked.push({ ecosystem: "rpm", name: path, spec: `/${path}`, kind: "malformed_entry", reason });
    return;
  }
  const { content, unchecked } = await rpmSqliteFileSummary(path, bytes);
  summary.unchecked.push(...unchecked);
  if (content === null) hide(summary, path);
  else summary.files[path] = content;
}

/** Records a whiteout entry; true when `path` was one. */
function recordWhiteout(summary: LayerSummary, path: string): boolean {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "" : path.slice(0, slash);
  const base = path.slice(slash + 1);
  if (base === ".wh..wh..opq") {
    summary.opaqueDirs.push(dir);
    return true;
  }
  if (!base.startsWith(".wh.")) return false;
  summary.whiteouts.push(dir === "" ? base.slice(4) : `${dir}/${base.slice(4)}`);
  return true;
}

/** A later entry of the same layer at `path` replaces an earlier one, as extraction would. */
function hide(summary: LayerSummary, path: string): void {
  delete summary.files[path];
  summary.hidden.push(path);
}

/** The entry's text, or null (entry drained) when it is over `max` bytes. */
async function readCapped(entry: AsyncIterable<Buffer>, max: number): Promise<string | null> {
  return (await readCappedBytes(entry, max))?.toString("utf8") ?? null;
}

/** The entry's bytes, or null (entry drained) when it is over `max` bytes. */
async function readCappedBytes(entry: AsyncIterable<Buffer>, max: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size > max ? null : Buffer.concat(chunks);
}
