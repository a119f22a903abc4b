import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { AnalyzeImageOptions, ImageAnalysis } from "./analyze-image-archive.js";
import { DEFAULT_MAX_FILE_BYTES } from "./analyze-image-archive.js";
import { imageContents } from "./image-contents.js";
import { ImageError } from "./image-error.js";
import { allowedReference } from "./image-reference.js";
import type { ImageReference } from "./image-reference.js";
import { cachedLayerSummary, keepLayerSummary, summarizeLayer } from "./layer-summary.js";
import type { LayerSummary } from "./layer-summary.js";
import { downloadBlob } from "./registry/download-blob.js";
import { DEFAULT_PLATFORM, fetchImageManifest, parsePlatform } from "./registry/image-manifest.js";
import { type RegistryAccessOptions, openRegistry } from "./registry/open-registry.js";
import type { RegistryClient } from "./registry/registry-client.js";

/** What analyzeImageReference needs beyond analyzeImageArchive's bounds (`maxBytes`: the sum of the layers' sizes). */
export interface AnalyzeImageReferenceOptions extends AnalyzeImageOptions, RegistryAccessOptions {
  /** `IMAGE_REGISTRIES`: the registries (`host[:port]`) an image may come from. */
  allowedRegistries: readonly string[];
  /** `os/architecture[/variant]` picked from an image index. Default `linux/amd64`. */
  platform?: string;
}

/**
 * Pulls an image from its registry and analyses it like analyzeImageArchive: the manifest for the platform
 * (digests verified), the layers' total size checked against `maxBytes` before anything is downloaded, and only
 * the layers whose summary `options.layerStore` lacks downloaded (into a fresh folder in `workDir`, always
 * removed). `digest` is the digest of the image manifest analysed (the platform's, for an index).
 *
 * @example
 * const analysis = await analyzeImageReference("nginx:1.25", { workDir, maxBytes: 2 ** 31, allowedRegistries: ["docker.io"] });
 * @throws ImageError with a stable `code` (ImageErrorCode): never hangs, every request has timeouts.
 */
export async function analyzeImageReference(
  reference: string | ImageReference,
  options: AnalyzeImageReferenceOptions,
): Promise<ImageAnalysis> {
  const ref = allowedReference(reference, options.allowedRegistries);
  const platform = parsePlatform(options.platform ?? DEFAULT_PLATFORM);
  const { client, close } = await openRegistry(ref, options);
  try {
    return await pullAndAnalyze(ref, client, platform, options);
  } finally {
    await close();
  }
}

async function pullAndAnalyze(
  ref: ImageReference,
  client: RegistryClient,
  platform: ReturnType<typeof parsePlatform>,
  options: AnalyzeImageReferenceOptions,
): Promise<ImageAnalysis> {
  const manifest = await fetchImageManifest(client, ref.digest ?? ref.tag ?? "latest", platform);
  const total = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  if (total > options.maxBytes) {
    throw new ImageError("image_too_large", `${ref.canonical} has ${total} bytes of layers, more than the ${options.maxBytes} accepted`);
  }

  const dir = await mkdtemp(join(options.workDir, "image-"));
  try {
    const limits = {
      budget: { remaining: options.maxExpandedBytes ?? options.maxBytes * 8 },
      maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
      ...(options.maxBinaryBytes !== undefined && { maxBinaryBytes: options.maxBinaryBytes }),
    };
    const known = new Map<string, LayerSummary>();
    for (const { digest } of manifest.layers) {
      const cached = known.has(digest) ? undefined : await cachedLayerSummary(options.layerStore, digest);
      if (cached !== undefined) known.set(digest, cached);
    }
    await confirmCachedLayers(client, ref, [...known.keys()]);
    const missing = [...new Map(manifest.layers.filter(({ digest }) => !known.has(digest)).map((layer) => [layer.digest, layer])).values()];
    const download = (index: number): Promise<string> | undefined => {
      const layer = missing[index];
      if (layer === undefined) return undefined;
      const file = join(dir, `layer-${index}`);
      const downloading = downloadBlob(client, layer, file).then(() => file);
      // Awaited below (or in finally); this only keeps a failure from counting as unhandled meanwhile.
      downloading.catch(() => undefined);
      return downloading;
    };
    // The next layer downloads while this one is read: network and CPU overlap, at most two layers on disk.
    let next = download(0);
    try {
      for (const [index, layer] of missing.entries()) {
        const file = (await next) as string;
        next = download(index + 1);
        const summary = await summarizeLayer(file, layer.digest, limits);
        await rm(file, { force: true });
        known.set(layer.digest, summary);
        await keepLayerSummary(options.layerStore, layer.digest, summary);
      }
    } finally {
      // A download still running must end before its folder is removed.
      await next?.catch(() => undefined);
    }
    const summaries = manifest.layers.map(({ digest }) => ({ digest, summary: known.get(digest) as LayerSummary }));
    return {
      digest: manifest.digest,
      ...imageContents(summaries),
      layers: manifest.layers.map(({ digest }, index) => ({ digest, index })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Summaries are shared by digest across users, so a manifest naming a layer of someone else's private image must
 * not be answered from the cache: each cached layer must be in the puller's repository, as a download would need.
 */
async function confirmCachedLayers(client: RegistryClient, ref: ImageReference, digests: string[]): Promise<void> {
  const present = await Promise.all(digests.map((digest) => client.hasBlob(digest)));
  const absent = digests.filter((_, index) => present[index] !== true);
  if (absent.length > 0) {
    throw new ImageError(
      "image_not_found",
      `${ref.registry}/${ref.repository} does not hold layer ${absent.join(", ")} that its manifest names`,
    );
  }
}
