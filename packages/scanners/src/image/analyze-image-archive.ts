import { mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { UncheckedEntry } from "../dependencies/package-set.js";
import { imageContents } from "./image-contents.js";
import type { ImagePackage } from "./image-contents.js";
import { imageLayout } from "./image-layout.js";
import { cachedLayerSummary, keepLayerSummary, summarizeLayer } from "./layer-summary.js";
import type { LayerSummary, LayerSummaryStore } from "./layer-summary.js";
import type { ImageOs } from "./os-release.js";
import { stageArchive } from "./stage-archive.js";

export type { ImagePackage } from "./image-contents.js";

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
  /** Where layer summaries are kept by layer digest: a layer found there is not read again. */
  layerStore?: LayerSummaryStore;
}

/** What an image holds: its distribution, layers and installed packages. */
export interface ImageAnalysis {
  digest?: string;
  os: ImageOs | null;
  layers: { digest: string; index: number }[];
  packages: ImagePackage[];
  unchecked: UncheckedEntry[];
}

export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Analyses a `docker save` or OCI image-layout tar: the archive is read once and its blobs staged to disk,
 * each layer is read once (gzip, zstd or plain) with whiteouts applied, and the surviving package metadata is
 * returned. Nothing of the image's filesystem is written to disk; only whole blobs, under names chosen here.
 * A layer whose summary `options.layerStore` has is not read.
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
    const limits = { budget: { remaining: maxExpandedBytes }, maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES };
    const summaries: { digest: string; summary: LayerSummary }[] = [];
    for (const layer of layout.layers) {
      // docker save repeats a layer an image has twice; it is read once.
      let summary =
        summaries.find(({ digest }) => digest === layer.digest)?.summary ?? (await cachedLayerSummary(options.layerStore, layer.digest));
      if (summary === undefined) {
        summary = await summarizeLayer(layer.file, layer.digest, limits);
        await keepLayerSummary(options.layerStore, layer.digest, summary);
      }
      summaries.push({ digest: layer.digest, summary });
    }
    return {
      ...(layout.digest !== undefined && { digest: layout.digest }),
      ...imageContents(summaries),
      layers: layout.layers.map(({ digest, index }) => ({ digest, index })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
