import { ECOSYSTEM_DEFINITIONS, ecosystemDefinition } from "../dependencies/ecosystems/registry.js";
import type { Ecosystem } from "../dependencies/ecosystems/registry.js";
import type { EcosystemDefinition, ImageOsRule } from "../dependencies/ecosystems/ecosystem-definition.js";
import type { PackageRef, UncheckedEntry } from "../dependencies/package-set.js";
import { isRpmDatabaseKind, packageFileKind } from "./installed-package-files.js";
import type { InstalledPackage } from "./installed-package-files.js";
import type { LockfileContent } from "./image-lockfiles.js";
import type { LayerSummary } from "./layer-summary.js";
import { LayeredFiles } from "./layered-files.js";
import type { LayeredFile } from "./layered-files.js";
import { parseOsRelease } from "./os-release.js";
import type { ImageOs } from "./os-release.js";

/** An installed package and the layer (digest) that introduced it. */
export interface ImagePackage extends PackageRef {
  layer: string;
  /** For a package only a lockfile of the image lists: that lockfile's path (`/app/Gemfile.lock`). */
  file?: string;
}

/** What an image's layers hold together. */
export interface ImageContents {
  os: ImageOs | null;
  packages: ImagePackage[];
  unchecked: UncheckedEntry[];
}

const OS_RELEASE_PATHS = ["etc/os-release", "usr/lib/os-release"];

type OsPackageKind = ImageOsRule["packageKind"];

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

/**
 * The OS ecosystem and release the image's packages of database `kind` are named with (`Debian`, `12`), if the
 * image's OS is one an ecosystem covers (its definition's `image` rule).
 */
function osRelease(os: ImageOs | null, kind: OsPackageKind): { definition: EcosystemDefinition<Ecosystem>; release: string } | null {
  if (os === null) return null;
  for (const definition of ECOSYSTEM_DEFINITIONS) {
    const rule = definition.image;
    if (rule?.packageKind !== kind || !rule.osIds.includes(os.family)) continue;
    const release = rule.release(os.version);
    return release === null ? null : { definition, release };
  }
  return null;
}

function namedPackages(files: LayeredFiles, os: ImageOs | null, unchecked: UncheckedEntry[]): ImagePackage[] {
  const visible = files.entries();
  const rpmDatabase = currentRpmDatabase(visible);
  const byKey = new Map<string, ImagePackage>();
  const add = (pkg: PackageRef, layer: string, file?: string) => {
    const key = `${pkg.ecosystem}\u0000${pkg.name}\u0000${pkg.version}`;
    if (!byKey.has(key)) byKey.set(key, { ...pkg, layer, ...(file !== undefined && { file }) });
  };
  const lockfiles: [string, LayeredFile, LockfileContent][] = [];
  for (const [path, file] of visible) {
    if (isRpmDatabasePath(path) && file !== rpmDatabase) continue;
    if (file.content.type === "unread-database") {
      unchecked.push({ ecosystem: "rpm", name: path, spec: `/${path}`, kind: "unsupported_ecosystem", reason: file.content.reason });
      continue;
    }
    if (file.content.type === "lockfile") lockfiles.push([path, file, file.content]);
    if (file.content.type !== "packages") continue;
    for (const pkg of file.content.packages) {
      const named = namedPackage(pkg, os, path, unchecked);
      if (named !== null) add(named, layerOf(file, pkg));
    }
  }
  // What is installed (node_modules, dist-info) names a package before a lockfile that only lists it.
  for (const [path, file, content] of lockfiles) {
    unchecked.push(...content.unchecked);
    for (const pkg of content.packages) add(pkg, layerOf(file, pkg), `/${path}`);
  }
  return [...byKey.values()];
}

/** The layer that first listed `pkg` in this file, at this version. */
function layerOf(file: LayeredFile, pkg: { name: string; version: string }): string {
  return file.introducedIn.get(`${pkg.name}@${pkg.version}`) ?? file.layerDigest;
}

function isRpmDatabasePath(path: string): boolean {
  const kind = packageFileKind(path);
  return kind !== undefined && isRpmDatabaseKind(kind);
}

/**
 * The one rpm database that counts, of those still visible: the top-most layer's (rpm rebuilding its database in
 * another format or directory may leave the old file behind), the SQLite one when a layer holds several.
 */
function currentRpmDatabase(visible: [string, LayeredFile][]): LayeredFile | undefined {
  const rank = (file: LayeredFile) => file.layerIndex * 2 + (file.content.type === "packages" ? 1 : 0);
  let top: LayeredFile | undefined;
  for (const [path, file] of visible) if (isRpmDatabasePath(path) && (top === undefined || rank(file) > rank(top))) top = file;
  return top;
}

const LANGUAGE_ECOSYSTEMS: Partial<Record<InstalledPackage["kind"], Ecosystem>> = { npm: "npm", pypi: "PyPI", go: "Go", maven: "Maven" };
// What an OS package's unchecked entry is filed under when no ecosystem covers the image's distribution.
const UNCOVERED_OS_LABELS: Record<OsPackageKind, string> = { dpkg: "Debian", apk: "Alpine", rpm: "rpm" };

function namedPackage(pkg: InstalledPackage, os: ImageOs | null, path: string, unchecked: UncheckedEntry[]): PackageRef | null {
  let ecosystem = LANGUAGE_ECOSYSTEMS[pkg.kind];
  let name = pkg.name;
  if (ecosystem === undefined) {
    const kind = pkg.kind as OsPackageKind;
    const release = osRelease(os, kind);
    if (release === null) {
      const distro = os === null ? "no os-release" : `${os.family} ${os.version}`.trim();
      unchecked.push({
        ecosystem: UNCOVERED_OS_LABELS[kind],
        name: pkg.name,
        spec: `/${path}: ${pkg.name}@${pkg.version}`,
        kind: "unsupported_ecosystem",
        reason: `${pkg.kind} package in an image whose distribution (${distro}) has no supported advisory release`,
      });
      return null;
    }
    const { definition } = release;
    ecosystem = definition.id;
    const advisoryName = definition.image?.names === "source" ? (pkg.source ?? pkg.name) : pkg.name;
    name = definition.releaseName?.(release.release, definition.normalizeName(advisoryName)) ?? advisoryName;
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
