import { ecosystemDefinition } from "../dependencies/ecosystems/registry.js";
import type { Ecosystem } from "../dependencies/ecosystems/registry.js";
import type { PackageRef, UncheckedEntry } from "../dependencies/package-set.js";
import type { InstalledPackage } from "./installed-package-files.js";
import type { LayerSummary } from "./layer-summary.js";
import { LayeredFiles } from "./layered-files.js";
import { parseOsRelease } from "./os-release.js";
import type { ImageOs } from "./os-release.js";

/** An installed package and the layer (digest) that introduced it. */
export interface ImagePackage extends PackageRef {
  layer: string;
}

/** What an image's layers hold together. */
export interface ImageContents {
  os: ImageOs | null;
  packages: ImagePackage[];
  unchecked: UncheckedEntry[];
}

const OS_RELEASE_PATHS = ["etc/os-release", "usr/lib/os-release"];

/**
 * The image's packages from its layers' summaries, bottom layer first: each layer's whiteouts, opaque directories
 * and hiding entries remove what lower layers wrote, its files replace theirs, and a package keeps the layer where
 * the listing that survives first showed it.
 */
export function imageContents(layers: readonly { digest: string; summary: LayerSummary }[]): ImageContents {
  const files = new LayeredFiles();
  const unchecked: UncheckedEntry[] = [];
  layers.forEach(({ digest, summary }, index) => {
    for (const dir of summary.opaqueDirs) files.hideDirectory(dir, index);
    for (const path of [...summary.whiteouts, ...summary.hidden]) files.remove(path, index);
    for (const [path, content] of Object.entries(summary.files)) files.set(path, content, index, digest);
    unchecked.push(...summary.unchecked);
  });
  const os = osOf(files);
  return { os, packages: namedPackages(files, os, unchecked), unchecked };
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
