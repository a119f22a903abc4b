import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { placeInGraph } from "./dependency-graph.js";
import type { Placement } from "./dependency-graph.js";
import { addNonRegistry, addNpmEntry, npmUnchecked, splitNameAtSpec } from "./npm-entry.js";
import { NPM_SOURCES, nonRegistrySource } from "./npm-source.js";
import { parseYamlText } from "./parse-yaml-text.js";

const PATCH_REASON = "the package with a yarn patch applied (patch:); the unpatched package is checked through its own entry";
// Berry writes a git dependency's resolution as the repository URL with `#commit=<sha>` (or a ref).
const GIT_RESOLUTION = /\.git(?:#|$)|#(?:commit|head|tag|semver)=/i;

/**
 * Packages in a yarn berry (v2+) yarn.lock (https://yarnpkg.com/advanced/lockfile): YAML whose entries map
 * descriptors (`lodash@npm:^4.17.0, lodash@npm:^4.17.20`) to one `resolution` locator. `npm:` locators are
 * checked under the locator's name, so aliases count as the real package. The workspace entries list the
 * project's dependencies (dev ones merged in, so dev-only cannot be told): those are direct, and paths run
 * from them through each entry's `dependencies`. `workspace:`, `link:`, `portal:`, `file:`, `patch:` and
 * git locators are unchecked; the root workspace (`workspace:.`) is the project itself and left out.
 */
export function parseYarnBerryLock(text: string): PackageSet {
  const lock = parseYamlText(text, "yarn.lock");
  if (!isJsonObject(lock) || !isJsonObject(lock.__metadata)) throw malformed("no __metadata mapping at the top level");
  const entries = Object.entries(lock).filter(([key]) => key !== "__metadata");
  const placement = placeInGraph(graphOf(entries));
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [key, entry] of entries) {
    const keyName = splitNameAtSpec(key.split(",")[0]?.trim() ?? key)?.name ?? key;
    if (!isJsonObject(entry) || typeof entry.resolution !== "string") {
      set.unchecked.push(npmUnchecked(keyName, key, "malformed_entry", "the yarn.lock entry has no resolution"));
      continue;
    }
    const locator = splitNameAtSpec(entry.resolution);
    if (locator === null) {
      set.unchecked.push(
        npmUnchecked(keyName, entry.resolution, "malformed_entry", "the yarn.lock entry's resolution is not name@reference"),
      );
      continue;
    }
    const version =
      typeof entry.version === "string" ? entry.version : typeof entry.version === "number" ? String(entry.version) : undefined;
    addLocator(set, locator.name, locator.spec, version, placement.get(entry.resolution));
  }
  return set;
}

function addLocator(set: PackageSet, name: string, reference: string, version: string | undefined, place: Placement | undefined): void {
  // `::locator=…` and `::hash=…` bind a relative reference to the workspace it came from; not part of the source.
  const where = reference.replace(/::.*$/s, "");
  const protocol = /^([a-z]+):/i.exec(where)?.[1]?.toLowerCase();
  if (protocol === "npm") {
    const flags = place === undefined ? {} : { direct: place.direct, path: place.path };
    addNpmEntry(set, name, version ?? where.slice(4), [], flags);
  } else if (protocol === "workspace") {
    if (where !== "workspace:.") addNonRegistry(set, name, where, NPM_SOURCES.workspace);
  } else if (protocol === "patch") {
    set.unchecked.push(npmUnchecked(name, `${name}@${where}`, "path", PATCH_REASON));
  } else if (protocol === "file") {
    // The part after `#` repeats the path relative to the workspace.
    const path = where.replace(/#.*$/s, "");
    addNonRegistry(set, name, path, /\.(?:tgz|tar\.gz|tar)$/i.test(path) ? NPM_SOURCES.tarball : NPM_SOURCES.directory);
  } else if (GIT_RESOLUTION.test(where)) {
    addNonRegistry(set, name, where, NPM_SOURCES.git);
  } else {
    const source = nonRegistrySource(where, name);
    if (source !== null) addNonRegistry(set, name, where, source);
    else
      set.unchecked.push(
        npmUnchecked(name, `${name}@${where}`, "malformed_entry", "the yarn.lock resolution uses a protocol yarn berry does not document"),
      );
  }
}

/** Entries by resolution, linked through their `dependencies` descriptors; the workspaces' dependencies are the roots. */
function graphOf(entries: [string, unknown][]) {
  const byDescriptor = new Map<string, string>();
  const dependencies = new Map<string, string[]>();
  const workspaces: string[] = [];
  const names = new Map<string, string>();
  for (const [key, entry] of entries) {
    if (!isJsonObject(entry) || typeof entry.resolution !== "string") continue;
    const resolution = entry.resolution;
    names.set(resolution, splitNameAtSpec(resolution)?.name ?? resolution);
    for (const descriptor of key.split(",").map((d) => d.trim())) {
      byDescriptor.set(descriptor, resolution);
      byDescriptor.set(descriptor.replace(/::.*$/s, ""), resolution);
    }
    const declared = isJsonObject(entry.dependencies) ? entry.dependencies : {};
    dependencies.set(
      resolution,
      Object.entries(declared).flatMap(([name, range]) => (typeof range === "string" ? [`${name}@${range}`] : [])),
    );
    if (/^(?:@[^/]+\/)?[^@]+@workspace:/.test(resolution)) workspaces.push(resolution);
  }
  const children = (id: string) => (dependencies.get(id) ?? []).flatMap((d) => byDescriptor.get(d) ?? []);
  return { roots: workspaces.flatMap(children).map((id) => ({ id, dev: false })), children, name: (id: string) => names.get(id) ?? id };
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `yarn.lock (berry): ${problem}`);
}
