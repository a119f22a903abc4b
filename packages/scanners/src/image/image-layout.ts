import { readFile } from "node:fs/promises";
import { ImageArchiveError } from "./image-archive-error.js";
import type { StagedArchive, StagedFile } from "./stage-archive.js";

/** A layer to read, bottom first. */
export interface StagedLayer {
  /** `sha256:<hex>` of the layer as stored in the archive. */
  digest: string;
  /** 0 for the base layer. */
  index: number;
  file: string;
}

/** What an archive's manifests say: the image's digest (when the format names one) and its layers, bottom first. */
export interface ImageLayout {
  /** OCI layout: the manifest's digest; `docker save`: the config's digest (the image id). */
  digest?: string;
  layers: StagedLayer[];
}

/** Manifests and indexes are small; anything bigger is not one. */
const MAX_JSON_BYTES = 4 * 1024 * 1024;
const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { os?: string; architecture?: string };
}

/**
 * The layers of an OCI image layout (`index.json`, `blobs/sha256/…`; also what Docker 25+ `docker save` writes)
 * or of a legacy `docker save` archive (`manifest.json`). An index with several platforms picks linux/amd64,
 * else its first image.
 */
export async function imageLayout(archive: StagedArchive): Promise<ImageLayout> {
  if (archive.has("index.json")) return ociLayout(archive);
  if (archive.has("manifest.json")) return dockerSaveLayout(archive);
  throw invalid("neither index.json (OCI image layout) nor manifest.json (docker save) found in the archive");
}

async function ociLayout(archive: StagedArchive): Promise<ImageLayout> {
  let descriptor = pickDescriptor(await readJson(archive, "index.json"), "index.json");
  // Nested indexes (an index naming a multi-platform index) are followed a few levels, never in a loop.
  for (let depth = 0; descriptor.mediaType !== undefined && INDEX_TYPES.has(descriptor.mediaType); depth++) {
    if (depth > 4) throw invalid("image index nesting too deep");
    descriptor = pickDescriptor(await readJson(archive, blobPath(descriptor.digest)), descriptor.digest);
  }
  const manifest = await readJson(archive, blobPath(descriptor.digest));
  verifyDigest(archive, descriptor.digest);
  const layers = (manifest as { layers?: unknown }).layers;
  if (!Array.isArray(layers)) throw invalid(`manifest ${descriptor.digest} has no layers`);
  return {
    digest: descriptor.digest,
    layers: layers.map((layer: unknown, index) => {
      const digest = descriptorDigest(layer, `layer ${index} of ${descriptor.digest}`);
      return { digest, index, file: verifyDigest(archive, digest).file };
    }),
  };
}

async function dockerSaveLayout(archive: StagedArchive): Promise<ImageLayout> {
  const manifests = await readJson(archive, "manifest.json");
  const first: unknown = Array.isArray(manifests) ? manifests[0] : undefined;
  const { Config: config, Layers: layers } = (first ?? {}) as { Config?: unknown; Layers?: unknown };
  if (!Array.isArray(layers) || !layers.every((layer): layer is string => typeof layer === "string")) {
    throw invalid("manifest.json does not list the image's layers");
  }
  const configFile = typeof config === "string" ? archive.get(config) : undefined;
  return {
    ...(configFile !== undefined && { digest: configFile.digest }),
    layers: layers.map((path, index) => {
      const staged = stagedFile(archive, path);
      return { digest: staged.digest, index, file: staged.file };
    }),
  };
}

function pickDescriptor(index: unknown, where: string): Descriptor {
  const manifests = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests) || manifests.length === 0) throw invalid(`${where} lists no manifests`);
  const descriptors = manifests.map(
    (entry: unknown, i) => ({ ...(entry as object), digest: descriptorDigest(entry, `${where} manifest ${i}`) }) as Descriptor,
  );
  const linuxAmd64 = descriptors.find((d) => d.platform?.os === "linux" && d.platform.architecture === "amd64");
  // A platform-less descriptor list (an image layout's top index) has one image; an attestation entry names "unknown".
  return linuxAmd64 ?? descriptors.find((d) => d.platform?.os !== "unknown") ?? (descriptors[0] as Descriptor);
}

function descriptorDigest(descriptor: unknown, where: string): string {
  const digest = (descriptor as { digest?: unknown } | null)?.digest;
  if (typeof digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(digest)) throw invalid(`${where} has no sha256 digest`);
  return digest;
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(":", "/")}`;
}

/** The staged blob of `digest`, refused when its bytes hash to something else. */
function verifyDigest(archive: StagedArchive, digest: string): StagedFile {
  const staged = stagedFile(archive, blobPath(digest));
  if (staged.digest !== digest) throw invalid(`blob ${digest} does not match its digest (${staged.digest})`);
  return staged;
}

function stagedFile(archive: StagedArchive, path: string): StagedFile {
  const staged = archive.get(path.replace(/^\.?\//, ""));
  if (staged === undefined) throw invalid(`${path} is named by the manifest but missing from the archive`);
  return staged;
}

async function readJson(archive: StagedArchive, path: string): Promise<unknown> {
  const staged = stagedFile(archive, path);
  if (staged.size > MAX_JSON_BYTES) throw invalid(`${path} is larger than ${MAX_JSON_BYTES} bytes`);
  try {
    return JSON.parse(await readFile(staged.file, "utf8"));
  } catch (error) {
    throw invalid(`${path} is not valid JSON`, error);
  }
}

function invalid(message: string, cause?: unknown): ImageArchiveError {
  return new ImageArchiveError("image_archive_invalid", message, cause === undefined ? undefined : { cause });
}
