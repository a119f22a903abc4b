import type { Ecosystem } from "./ecosystems/registry.js";

/** The cache tag of results that contain a package (docs/API.md "Cache keys and tags"): `pkg:<ecosystem>/<normalised name>`. */
export function packageTag(ecosystem: Ecosystem, normalizedName: string): string {
  return `pkg:${ecosystem}/${normalizedName}`;
}
