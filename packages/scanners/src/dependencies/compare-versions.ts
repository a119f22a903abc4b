import type { Ecosystem } from "./ecosystem.js";
import { ecosystemScheme } from "./version-scheme.js";

/**
 * Orders two versions by the ecosystem's rules (PEP 440 for PyPI; semver for npm and crates.io; Go as
 * semver with or without the `v` prefix, pseudo-versions ordering as pre-releases). Never throws:
 * versions that do not parse sort before all that do, and among themselves by code unit.
 */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number {
  const scheme = ecosystemScheme(ecosystem);
  const aParses = scheme.key(a) !== null;
  const bParses = scheme.key(b) !== null;
  if (aParses && bParses) return Math.sign(scheme.compare(a, b));
  if (aParses !== bParses) return aParses ? 1 : -1;
  return a === b ? 0 : a < b ? -1 : 1;
}
