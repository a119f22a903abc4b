import { ecosystemDefinition, isEcosystem } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import type { UncheckedKind } from "./unchecked-kind.js";

/** One installed package: what is matched against advisories. */
export interface PackageRef {
  ecosystem: Ecosystem;
  name: string;
  version: string;
  /** The project itself asks for it (true) or it comes in through another package (false); absent: the input does not say. */
  direct?: boolean;
  /** Only needed to develop or test the project (devDependencies, `--group dev`, `packages-dev`); absent: not known to be dev-only. */
  dev?: boolean;
  /** The chain of package names from a direct dependency down to this one (itself last), where the input shows it. */
  path?: string[];
}

/** A dependency the scanner saw but could not check, e.g. requirements.txt `flask>=2` (not pinned). */
export interface UncheckedEntry {
  /**
   * The OSV ecosystem. For SBOM components outside the supported ecosystems: the purl type as written
   * (`hex`, `rpm`), or `unknown` for a component without a purl.
   */
  ecosystem: Ecosystem | (string & {});
  name: string;
  /** What the input said, e.g. `flask>=2`, a purl, or for a lockfile entry `name@<where it comes from>`. */
  spec: string;
  /** Why it was not checked, as a stable code (see UNCHECKED_KINDS). */
  kind: UncheckedKind;
  /** The same for a person, e.g. "installed from a git repository, not from the registry". */
  reason: string;
}

/** Canonical (see canonicalPackageSet): names normalised, sorted by ecosystem/name/version, de-duplicated. */
export interface PackageSet {
  packages: PackageRef[];
  unchecked: UncheckedEntry[];
}

/**
 * Normalises names, sorts and de-duplicates, so the same dependencies give the same set (and the same
 * JSON, hence the same input hash) whatever order or spelling the input used.
 */
export function canonicalPackageSet(set: PackageSet): PackageSet {
  const packages = set.packages.map((p) => ({
    ecosystem: p.ecosystem,
    name: ecosystemDefinition(p.ecosystem).normalizeName(p.name),
    version: p.version.trim(),
    ...(p.direct !== undefined && { direct: p.direct }),
    ...(p.dev !== undefined && { dev: p.dev }),
    ...(p.path !== undefined && { path: [...p.path] }),
  }));
  const unchecked = set.unchecked.map((u) => ({
    ecosystem: u.ecosystem,
    name: isEcosystem(u.ecosystem) ? ecosystemDefinition(u.ecosystem).normalizeName(u.name) : u.name,
    spec: u.spec,
    kind: u.kind,
    reason: u.reason,
  }));
  return {
    packages: sortedUnique(packages, (p) => [p.ecosystem, p.name, p.version], mergeOccurrences),
    unchecked: sortedUnique(unchecked, (u) => [u.ecosystem, u.name, u.spec, u.kind, u.reason]),
  };
}

// Code-unit order, not localeCompare: the order must not depend on the machine's locale.
function compareTuples(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? "";
    const y = b[i] ?? "";
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * One package installed in several places of a tree (npm nests copies) is one entry: direct if any copy is,
 * dev-only only if every copy is, with the shortest path that reaches it. A field no copy states stays absent.
 */
function mergeOccurrences(a: PackageRef, b: PackageRef): PackageRef {
  const merged: PackageRef = { ecosystem: a.ecosystem, name: a.name, version: a.version };
  if (a.direct !== undefined || b.direct !== undefined) merged.direct = a.direct === true || b.direct === true;
  if (a.dev !== undefined || b.dev !== undefined) merged.dev = a.dev !== false && b.dev !== false;
  const path = shorterPath(a.path, b.path);
  if (path !== undefined) merged.path = path;
  return merged;
}

function shorterPath(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  if (a.length !== b.length) return a.length < b.length ? a : b;
  return compareTuples(a, b) <= 0 ? a : b;
}

function sortedUnique<T>(items: T[], tuple: (item: T) => string[], merge?: (a: T, b: T) => T): T[] {
  const keyed = items.map((item) => ({ item, key: tuple(item) }));
  keyed.sort((a, b) => compareTuples(a.key, b.key));
  const unique: { item: T; key: string[] }[] = [];
  for (const entry of keyed) {
    const last = unique[unique.length - 1];
    if (last !== undefined && compareTuples(last.key, entry.key) === 0) {
      if (merge) last.item = merge(last.item, entry.item);
    } else unique.push({ ...entry });
  }
  return unique.map((k) => k.item);
}
