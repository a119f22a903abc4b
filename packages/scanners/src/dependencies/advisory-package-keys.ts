import type { Advisory } from "./advisory.js";
import type { Ecosystem } from "./ecosystems/registry.js";

/** The (ecosystem, normalised name) pairs an advisory affects, de-duplicated and sorted; the keys to store and invalidate it by. */
export function advisoryPackageKeys(advisory: Advisory): { ecosystem: Ecosystem; name: string }[] {
  const seen = new Map<string, { ecosystem: Ecosystem; name: string }>();
  for (const { ecosystem, name } of advisory.affected) seen.set(`${ecosystem}\u0000${name}`, { ecosystem, name });
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, key]) => key);
}
