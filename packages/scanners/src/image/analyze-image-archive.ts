import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { Transform } from "node:stream";
import tar from "tar-stream";
import { ecosystemDefinition } from "../dependencies/ecosystems/registry.js";
import type { Ecosystem } from "../dependencies/ecosystems/registry.js";
import type { PackageRef, UncheckedEntry } from "../dependencies/package-set.js";
import { ImageArchiveError } from "./image-archive-error.js";
import { imageLayout } from "./image-layout.js";
import type { StagedLayer } from "./image-layout.js";
import { packageFileKind, readPackageFile } from "./installed-package-files.js";
import type { InstalledPackage } from "./installed-package-files.js";
import { LayeredFiles } from "./layered-files.js";
import { layerStreams } from "./layer-stream.js";
import { normalizeEntryPath } from "./entry-path.js";
import { parseOsRelease } from "./os-release.js";
import type { ImageOs } from "./os-release.js";
import { messageOf, stageArchive } from "./stage-archive.js";

/** Bounds and scratch space for analyzeImageArchive. */
export interface AnalyzeImageOptions {
  /** A directory the caller owns; the analysis stages blobs in a fresh folder inside it and always removes that folder. */
  workDir: string;
  /** Largest archive accepted, counted as it streams (`IMAGE_MAX_BYTES`). */
  maxBytes: number;
  /** Largest total the layers (and a gzipped archive) may expand to: decompression bombs. Default 8 × maxBytes. */
  maxExpandedBytes?: number;
  /** Largest metadata file read (dpkg status, package.json…); bigger ones go to `unchecked`. Default 16 MiB. */
  maxFileBytes?: number;
}

/** An installed package and the layer (digest) that introduced it. */
export interface ImagePackage extends PackageRef {
  layer: string;
}

/** What an image holds: its distribution, layers and installed packages. */
export interface ImageAnalysis {
  digest?: string;
  os: ImageOs | null;
  layers: { digest: string; index: number }[];
  packages: ImagePackage[];
  unchecked: UncheckedEntry[];
}

const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;
const OS_RELEASE_PATHS = ["etc/os-release", "usr/lib/os-release"];

/**
 * Analyses a `docker save` or OCI image-layout tar: the archive is read once and its blobs staged to disk,
 * each layer is read once (gzip, zstd or plain) with whiteouts applied, and the surviving package metadata is
 * returned. Nothing of the image's filesystem is written to disk; only whole blobs, under names chosen here.
 *
 * @example
 * const analysis = await analyzeImageArchive(req, { workDir: jobDir, maxBytes: 2 ** 31 });
 * analysis.packages; // [{ ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u2", layer: "sha256:…" }]
 */
export async function analyzeImageArchive(
  source: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  options: AnalyzeImageOptions,
): Promise<ImageAnalysis> {
  const dir = await mkdtemp(join(options.workDir, "image-"));
  try {
    const maxExpandedBytes = options.maxExpandedBytes ?? options.maxBytes * 8;
    const layout = await imageLayout(await stageArchive(source, dir, { maxBytes: options.maxBytes, maxExpandedBytes }));
    const files = new LayeredFiles();
    const unchecked: UncheckedEntry[] = [];
    const budget = { remaining: maxExpandedBytes };
    for (const layer of layout.layers) {
      await readLayer(layer, files, unchecked, budget, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    }
    const os = osOf(files);
    const packages = namedPackages(files, os, unchecked);
    return {
      ...(layout.digest !== undefined && { digest: layout.digest }),
      os,
      layers: layout.layers.map(({ digest, index }) => ({ digest, index })),
      packages,
      unchecked,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readLayer(
  layer: StagedLayer,
  files: LayeredFiles,
  unchecked: UncheckedEntry[],
  budget: { remaining: number },
  maxFileBytes: number,
): Promise<void> {
  const extract = tar.extract();
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      budget.remaining -= chunk.length;
      if (budget.remaining < 0) done(new ImageArchiveError("image_too_large", `layer ${layer.digest} expands past the image size bound`));
      else done(null, chunk);
    },
  });
  const [raw, decoder] = await layerStreams(layer.file, layer.digest);
  const feeding = decoder === undefined ? pipeline(raw, counting, extract) : pipeline(raw, decoder, counting, extract);
  feeding.catch(() => undefined);
  try {
    for await (const entry of extract) {
      const path = normalizeEntryPath(entry.header.name);
      if (path === null || files.applyWhiteout(path, layer.index) || entry.header.type === "directory") {
        entry.resume();
        continue;
      }
      const kind = entry.header.type === "file" ? packageFileKind(path) : undefined;
      if (kind === undefined) {
        files.replace(path, layer.index);
        entry.resume();
        continue;
      }
      const text = await readCapped(entry, maxFileBytes);
      if (text === null) {
        files.replace(path, layer.index);
        unchecked.push({
          ecosystem: "unknown",
          name: path,
          spec: `/${path}`,
          kind: "malformed_entry",
          reason: `file larger than ${maxFileBytes} bytes, not read`,
        });
        continue;
      }
      files.set(path, readPackageFile(kind, text), layer.index, layer.digest);
    }
    await feeding;
  } catch (error) {
    if (error instanceof ImageArchiveError) throw error;
    throw new ImageArchiveError("image_archive_invalid", `layer ${layer.digest} is not a readable tar: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

/** The entry's text, or null (entry drained) when it is over `max` bytes. */
async function readCapped(entry: AsyncIterable<Buffer>, max: number): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += chunk.length;
    if (size <= max) chunks.push(chunk);
  }
  return size > max ? null : Buffer.concat(chunks).toString("utf8");
}

function osOf(files: LayeredFiles): ImageOs | null {
  for (const path of OS_RELEASE_PATHS) {
    const content = files.get(path)?.content;
    if (content?.type === "os-release") return parseOsRelease(content.text);
  }
  return null;
}

/** The OSV release the image's OS packages are named with (`12`, `v3.19`), if the image's OS is a supported one. */
function osRelease(os: ImageOs | null, kind: "dpkg" | "apk"): { ecosystem: Ecosystem; release: string } | null {
  if (kind === "dpkg" && os?.family === "debian") {
    const major = /^(\d+)/.exec(os.version)?.[1];
    return major === undefined ? null : { ecosystem: "Debian", release: major };
  }
  if (kind === "apk" && os?.family === "alpine") {
    const match = /^(\d+)\.(\d+)/.exec(os.version);
    return match === null ? null : { ecosystem: "Alpine", release: `v${match[1]}.${match[2]}` };
  }
  return null;
}

function namedPackages(files: LayeredFiles, os: ImageOs | null, unchecked: UncheckedEntry[]): ImagePackage[] {
  const byKey = new Map<string, ImagePackage>();
  for (const [path, file] of files.entries()) {
    if (file.content.type !== "packages") continue;
    for (const pkg of file.content.packages) {
      const layer = file.introducedIn.get(`${pkg.name}@${pkg.version}`) ?? file.layerDigest;
      const named = namedPackage(pkg, os, path, unchecked);
      if (named === null) continue;
      const key = `${named.ecosystem}\u0000${named.name}\u0000${named.version}`;
      if (!byKey.has(key)) byKey.set(key, { ...named, layer });
    }
  }
  return [...byKey.values()];
}

function namedPackage(pkg: InstalledPackage, os: ImageOs | null, path: string, unchecked: UncheckedEntry[]): PackageRef | null {
  const language: Record<string, Ecosystem> = { npm: "npm", pypi: "PyPI" };
  let ecosystem = language[pkg.kind];
  let name = pkg.name;
  if (ecosystem === undefined) {
    const release = osRelease(os, pkg.kind as "dpkg" | "apk");
    if (release === null) {
      const distro = os === null ? "no os-release" : `${os.family} ${os.version}`.trim();
      unchecked.push({
        ecosystem: pkg.kind === "dpkg" ? "Debian" : "Alpine",
        name: pkg.name,
        spec: `/${path}: ${pkg.name}@${pkg.version}`,
        kind: "unsupported_ecosystem",
        reason: `${pkg.kind} package in an image whose distribution (${distro}) has no supported advisory release`,
      });
      return null;
    }
    ecosystem = release.ecosystem;
    const definition = ecosystemDefinition(ecosystem);
    name = definition.releaseName?.(release.release, definition.normalizeName(pkg.name)) ?? pkg.name;
  }
  if (pkg.version === "") {
    unchecked.push({ ecosystem, name: pkg.name, spec: `/${path}`, kind: "no_version", reason: "the package metadata gives no version" });
    return null;
  }
  return {
    ecosystem,
    name: ecosystem === "npm" || ecosystem === "PyPI" ? ecosystemDefinition(ecosystem).normalizeName(name) : name,
    version: pkg.version,
  };
}
