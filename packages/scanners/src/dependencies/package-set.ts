import { ecosystemDefinition, isEcosystem } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import type { UncheckedKind } from "./unchecked-kind.js";

/** One installed package: what is matched against advisories. */
export interface PackageRef {
  ecosystem: Ecosystem;
  name: string;
  version: string;
}

/** A dependency the scanner saw but could not check, e.g. requirements.txt `flask>=2` (not pinned). */
export interface UncheckedEntry {
  /**
   * The OSV ecosystem. For SBOM components outside the supported ecosystems: the purl type as written
   * (`maven`, `deb`), or `unknown` for a component without a purl.
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
  }));
  const unchecked = set.unchecked.map((u) => ({
    ecosystem: u.ecosystem,
    name: isEcosystem(u.ecosystem) ? ecosystemDefinition(u.ecosystem).normalizeName(u.name) : u.name,
    spec: u.spec,
    kind: u.kind,
    reason: u.reason,
  }));
  return {
    packages: sortedUnique(packages, (p) => [p.ecosystem, p.name, p.version]),
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

function sortedUnique<T>(items: T[], tuple: (item: T) => string[]): T[] {
  const keyed = items.map((item) => ({ item, key: tuple(item) }));
  keyed.sort((a, b) => compareTuples(a.key, b.key));
  return keyed.filter((k, i) => i === 0 || compareTuples(k.key, keyed[i - 1]?.key ?? []) !== 0).map((k) => k.item);
}
