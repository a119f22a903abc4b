import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject, parseJsonText } from "../parse-json-text.js";
import { addNonRegistry, addNpmEntry, aliasTarget, nonStringField, npmUnchecked } from "./npm-entry.js";
import { NPM_SOURCES } from "./npm-source.js";
import { placeInGraph } from "./dependency-graph.js";
import { packageLockGraph } from "./package-lock-graph.js";

const NODE_MODULES = "node_modules/";
const DEPENDENCY_FIELDS = ["dependencies", "optionalDependencies", "devDependencies", "peerDependencies"] as const;
// Arborist reads lockfileVersion 1 to 3 the same way; a newer major may change the layout.
const SUPPORTED_VERSIONS = new Set([1, 2, 3]);

/**
 * Packages in an npm package-lock.json (or npm-shrinkwrap.json), read as npm reads it: the `packages` map
 * (keyed by install path, lockfileVersion 2 and 3) when there is one, else the `dependencies` tree (the v1
 * layout, which npm also accepts under a later lockfileVersion). Dev and optional dependencies are included;
 * the root project and the workspace folders are not (they are the project's own code), and links to them
 * are unchecked. An entry that cannot be read goes to `unchecked`; only a broken top level fails the file.
 * `dev` is npm's own flag; with a `packages` map, the root's and workspaces' declared dependencies are
 * direct and paths follow node's resolution through the install tree.
 */
export function parsePackageLock(text: string): PackageSet {
  const lock = parseJsonText(text, "package-lock.json", "lockfile_malformed");
  if (!isJsonObject(lock)) throw malformed("the top level is not an object");
  const version = lock.lockfileVersion;
  if (typeof version !== "number") throw malformed("lockfileVersion is missing or not a number");
  if (!SUPPORTED_VERSIONS.has(version)) {
    throw new DependencyInputError(
      "lockfile_unsupported_version",
      `package-lock.json lockfileVersion ${version} is not supported (supported: 1, 2, 3)`,
    );
  }
  const set: PackageSet = { packages: [], unchecked: [] };
  if (lock.packages !== undefined && lock.packages !== null) {
    if (!isJsonObject(lock.packages)) throw malformed("`packages` is not an object");
    fromPackagesMap(lock.packages, set);
  } else if (lock.dependencies !== undefined && lock.dependencies !== null) {
    if (!isJsonObject(lock.dependencies)) throw malformed("`dependencies` is not an object");
    fromDependencyTree(lock.dependencies, set);
  }
  return set;
}

function fromPackagesMap(packages: Record<string, unknown>, set: PackageSet): void {
  const placement = placeInGraph(packageLockGraph(packages));
  for (const [path, entry] of Object.entries(packages)) {
    const at = path.lastIndexOf(NODE_MODULES);
    // "" is the root project; paths outside node_modules are workspace folders and file: directories,
    // reported through the links to them.
    if (at === -1) continue;
    const pathName = path.slice(at + NODE_MODULES.length);
    if (!isJsonObject(entry)) {
      set.unchecked.push(npmUnchecked(pathName, pathName, "malformed_entry", "the package-lock entry is not an object"));
      continue;
    }
    const wrongType = nonStringField(entry, ["name", "version", "resolved"]);
    if (wrongType !== undefined) {
      set.unchecked.push(npmUnchecked(pathName, pathName, "malformed_entry", `the package-lock entry's ${wrongType} is not a string`));
      continue;
    }
    const name = typeof entry.name === "string" ? entry.name : pathName;
    const resolved = typeof entry.resolved === "string" ? entry.resolved : undefined;
    if (entry.link === true) {
      addLink(packages, path.slice(0, at).replace(/\/$/, ""), name, resolved ?? "", set);
      continue;
    }
    // npm writes `dev: true` on what only the dev tree needs (`devOptional` entries ship as optional ones).
    const place = placement.get(path);
    const flags = { dev: entry.dev === true, ...(place !== undefined && { direct: place.direct, path: place.path }) };
    addNpmEntry(set, name, typeof entry.version === "string" ? entry.version : undefined, [resolved], flags);
  }
}

/**
 * npm installs both workspace packages and `file:` directories as links. The package that depends on the
 * link (its parent in the install tree) says which: a `file:` spec, or a workspace.
 */
function addLink(packages: Record<string, unknown>, parentPath: string, name: string, target: string, set: PackageSet): void {
  const parent = packages[parentPath];
  const declared = isJsonObject(parent)
    ? DEPENDENCY_FIELDS.map((field) => parent[field])
        .filter(isJsonObject)
        .map((specs) => specs[name])
        .find((spec) => typeof spec === "string" && spec.startsWith("file:"))
    : undefined;
  if (typeof declared === "string") addNonRegistry(set, name, declared, NPM_SOURCES.directory);
  else addNonRegistry(set, name, `link:${target}`, NPM_SOURCES.workspace);
}

function fromDependencyTree(dependencies: Record<string, unknown>, set: PackageSet): void {
  // Iterative: nesting follows node_modules depth, which an input can make arbitrarily deep.
  const pending: Record<string, unknown>[] = [dependencies];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    for (const [name, entry] of Object.entries(next)) {
      if (!isJsonObject(entry)) {
        set.unchecked.push(npmUnchecked(name, name, "malformed_entry", "the package-lock entry is not an object"));
        continue;
      }
      const nested = entry.dependencies;
      if (isJsonObject(nested)) pending.push(nested);
      else if (nested !== undefined)
        set.unchecked.push(npmUnchecked(name, name, "malformed_entry", "the package-lock entry's dependencies are not an object"));
      const wrongType = nonStringField(entry, ["version", "resolved"]);
      if (wrongType !== undefined) {
        set.unchecked.push(npmUnchecked(name, name, "malformed_entry", `the package-lock entry's ${wrongType} is not a string`));
        continue;
      }
      const version = typeof entry.version === "string" ? entry.version : undefined;
      // An alias (`"foo": {"version": "npm:bar@1.0.0"}`) installs bar.
      const alias = version === undefined ? null : aliasTarget(version);
      // The v1 tree does not say which top-level entries the project declared, only which are dev-only.
      addNpmEntry(set, alias?.name ?? name, alias?.spec ?? version, [typeof entry.resolved === "string" ? entry.resolved : undefined], {
        dev: entry.dev === true,
      });
    }
  }
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `package-lock.json: ${problem}`);
}
