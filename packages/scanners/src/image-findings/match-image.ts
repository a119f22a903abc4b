import type { Advisory } from "../dependencies/advisory.js";
import { ecosystemDefinition } from "../dependencies/ecosystems/registry.js";
import type { Ecosystem } from "../dependencies/ecosystems/registry.js";
import { type MatchOptions, matchPackages } from "../dependencies/match-packages.js";
import { canonicalPackageSet } from "../dependencies/package-set.js";
import type { UncheckedEntry } from "../dependencies/package-set.js";
import type { VulnerabilityFinding } from "../dependencies/vulnerability-finding.js";
import type { ImageAnalysis } from "../image/analyze-image-archive.js";
import type { ImageOs } from "../image/os-release.js";
import type { ScanResult } from "../scan-result.js";

/**
 * An image as a scan matches it: its analysis, with the digest that names it (manifest, image id, or archive hash);
 * pulled by reference, also the reference and the platform it was pulled as.
 */
export type AnalysedImage = ImageAnalysis & { digest: string; reference?: string; platform?: string };

/** A vulnerable package of an image: a dependency finding plus the digest of the layer that introduced it. */
export interface ImageFinding extends VulnerabilityFinding {
  layer: string;
  /** When only a lockfile in the image lists the package: the lockfile's path (`/app/Gemfile.lock`). */
  file?: string;
}

/** What the result says about the image itself (docs/API.md, scan type `image`). */
export interface ImageBlock {
  digest: string;
  /** Pulled by reference: the reference as submitted (normalised) with the digest its tag named then, `registry/repo:tag@sha256:…`. */
  reference?: string;
  /** Pulled by reference: the `os/architecture[/variant]` picked from an image index. */
  platform?: string;
  /** From `/etc/os-release`; null when the image has none (distroless without it, scratch). */
  os: ImageOs | null;
  /** Bottom first, each with how many of the image's packages it introduced. */
  layers: { digest: string; index: number; packages: number }[];
}

/** The result of an `image` scan and its cache tags (one `pkg:` tag per package found, as for dependencies). */
export interface ImageScanOutput {
  result: ScanResult<ImageFinding> & { image: ImageBlock; unchecked: UncheckedEntry[]; packages: number };
  tags: string[];
  validUntil?: string;
}

/**
 * Matches an image's packages like a dependency scan (each ecosystem's rules; OS packages carry their release,
 * `Debian` `12/openssl`), then names on each finding the layer that introduced its package and adds the image block.
 */
export function matchImage(image: AnalysedImage, advisories: Advisory[], options: MatchOptions = {}): ImageScanOutput {
  const layerOf = new Map<string, string>();
  const fileOf = new Map<string, string>();
  const perLayer = new Map<string, number>();
  for (const pkg of image.packages) {
    const key = findingKey(pkg.ecosystem, ecosystemDefinition(pkg.ecosystem).normalizeName(pkg.name), pkg.version);
    if (!layerOf.has(key)) {
      layerOf.set(key, pkg.layer);
      if (typeof pkg.file === "string") fileOf.set(key, pkg.file);
    }
    perLayer.set(pkg.layer, (perLayer.get(pkg.layer) ?? 0) + 1);
  }
  const set = canonicalPackageSet({
    packages: image.packages.map(({ ecosystem, name, version }) => ({ ecosystem, name, version })),
    unchecked: image.unchecked,
  });
  const { result, tags, validUntil } = matchPackages(set, advisories, options);
  const findings = result.findings.map((finding) => {
    const key = findingKey(finding.ecosystem, finding.package, finding.version);
    const file = fileOf.get(key);
    return { ...finding, layer: layerOf.get(key) ?? "", ...(file !== undefined && { file }) };
  });
  return {
    result: {
      ...result,
      findings,
      image: {
        digest: image.digest,
        ...(image.reference !== undefined && { reference: image.reference }),
        ...(image.platform !== undefined && { platform: image.platform }),
        os: image.os,
        layers: image.layers.map(({ digest, index }) => ({ digest, index, packages: perLayer.get(digest) ?? 0 })),
      },
    },
    tags,
    ...(validUntil !== undefined && { validUntil }),
  };
}

/** Whether a value has the shape matchImage reads (a thread receives it structured-cloned, unchecked by types). */
export function isAnalysedImage(value: unknown): value is AnalysedImage {
  const image = value as Partial<AnalysedImage> | null;
  return (
    typeof image === "object" &&
    image !== null &&
    typeof image.digest === "string" &&
    Array.isArray(image.layers) &&
    Array.isArray(image.packages) &&
    Array.isArray(image.unchecked)
  );
}

function findingKey(ecosystem: Ecosystem, name: string, version: string): string {
  return `${ecosystem}\u0000${name}\u0000${version}`;
}
