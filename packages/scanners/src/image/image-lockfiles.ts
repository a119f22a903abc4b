import { type PackageRef, type UncheckedEntry, canonicalPackageSet } from "../dependencies/package-set.js";
import { type LockfileFormat, lockfileFormatForFileName } from "../dependencies/lockfiles/lockfile-registry.js";
import type { LockfileFormatDefinition } from "../dependencies/lockfiles/lockfile-format.js";
import type { Ecosystem } from "../dependencies/ecosystems/registry.js";

/** A lockfile of the image's filesystem, parsed: its packages and the entries it names that cannot be checked. */
export interface LockfileContent {
  type: "lockfile";
  format: LockfileFormat;
  /** Canonical (names normalised, de-duplicated), reduced to what an image package keeps. */
  packages: PackageRef[];
  /** Its unchecked entries (git, path, unpinned…), or one `malformed_entry` when the file does not parse. */
  unchecked: UncheckedEntry[];
}

/**
 * Lockfile formats of a `dependencies` scan that are not read in an image, because something else in the image
 * says better what is installed, and the files are common where they do not describe the image:
 * - `go.mod`: Go binaries' build info lists the modules built in; Go's module cache holds a go.mod per dependency.
 * - `requirements.txt`: pip's `*.dist-info/METADATA` are what is installed; requirements files are often ranges,
 *   and packages ship their own (`requirements-dev.txt`, test requirements) inside site-packages.
 * - `pom.xml`: declared versions, not resolved ones; jars' `pom.properties` are read instead.
 */
export const NOT_READ_IN_IMAGES: ReadonlySet<LockfileFormat> = new Set<LockfileFormat>(["go.mod", "requirements.txt", "pom.xml"]);

/**
 * Where a lockfile belongs to an installed dependency, a cache or the distribution rather than to an application of
 * the image: nested in `node_modules` (as Trivy skips them), installed Python packages, `vendor/` (Composer, Go,
 * Bundler), installed gems, Go's module cache, Cargo's registry and git checkouts, the package caches of pub, NuGet,
 * Gradle and Maven, and the distribution's own trees (`/usr/share`: packaged files dpkg/apk/rpm already list).
 */
const DEPENDENCY_DIRECTORY =
  /(?:^|\/)(?:node_modules|site-packages|dist-packages|vendor|gems|\.cargo|\.pub-cache|\.nuget|\.gradle|\.m2|\.cache|pkg\/mod|cargo\/(?:registry|git))\//;
const SYSTEM_DIRECTORY = /^(?:proc|sys|dev|usr\/share)\//;

/**
 * Every format read in images has `lock` or `shrinkwrap` in its file name: a test holds the registry to it. Every
 * file of every layer is asked about, and this one test spares the others the registry's name patterns.
 */
const MAYBE_LOCKFILE = /lock|shrinkwrap/i;

/** The lockfile format of the image file at `path` (no leading `/`), when the analysis reads it there. */
export function imageLockfileFormat(path: string): LockfileFormatDefinition<LockfileFormat> | undefined {
  if (!MAYBE_LOCKFILE.test(path.slice(path.lastIndexOf("/") + 1))) return undefined;
  const definition = lockfileFormatForFileName(path);
  if (definition === undefined || NOT_READ_IN_IMAGES.has(definition.format)) return undefined;
  if (DEPENDENCY_DIRECTORY.test(path) || SYSTEM_DIRECTORY.test(path)) return undefined;
  return definition;
}

/** Parses a lockfile found at `path` in an image. One that does not parse gives a note, never an error. */
export function readImageLockfile(definition: LockfileFormatDefinition<LockfileFormat>, path: string, text: string): LockfileContent {
  const { format, ecosystem } = definition;
  try {
    const set = canonicalPackageSet(definition.parse(text));
    return {
      type: "lockfile",
      format,
      packages: set.packages.map(({ ecosystem, name, version }) => ({ ecosystem, name, version })),
      unchecked: set.unchecked.map((entry) => ({ ...entry, spec: `/${path}: ${entry.spec}` })),
    };
  } catch (error) {
    return { type: "lockfile", format, packages: [], unchecked: [malformedLockfile(ecosystem, format, path, error)] };
  }
}

const MAX_DETAIL = 200;

function malformedLockfile(ecosystem: Ecosystem, format: LockfileFormat, path: string, error: unknown): UncheckedEntry {
  // Parsers quote short excerpts; a library's message (YAML, TOML) may quote more, and a note stays one line.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ");
  const detail = message.length > MAX_DETAIL ? `${message.slice(0, MAX_DETAIL)}…` : message;
  return { ecosystem, name: path, spec: `/${path}`, kind: "malformed_entry", reason: `not a readable ${format}, skipped: ${detail}` };
}
