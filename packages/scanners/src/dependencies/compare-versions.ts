import { ecosystemDefinition } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";

/**
 * Orders two versions by the ecosystem's version scheme (its definition's `versionScheme`). Never throws:
 * versions that do not parse sort before all that do, and among themselves by code unit.
 */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): number {
  const scheme = ecosystemDefinition(ecosystem).versionScheme;
  const aParses = scheme.key(a) !== null;
  const bParses = scheme.key(b) !== null;
  if (aParses && bParses) return Math.sign(scheme.compare(a, b));
  if (aParses !== bParses) return aParses ? 1 : -1;
  return a === b ? 0 : a < b ? -1 : 1;
}
