import { compareVersions } from "./compare-versions.js";
import type { Ecosystem } from "./ecosystems/registry.js";

/** The lower of two optional versions by the ecosystem's ordering (null when both are null). */
export function lowerVersion(ecosystem: Ecosystem, a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareVersions(ecosystem, b, a) < 0 ? b : a;
}
