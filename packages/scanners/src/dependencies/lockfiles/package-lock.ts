import { DependencyInputError } from "../dependency-input-error.js";
import { excerpt } from "../excerpt.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject, parseJsonText } from "../parse-json-text.js";
import { npmEntry, splitNameAtSpec } from "./npm-version.js";

const NODE_MODULES = "node_modules/";

/**
 * Packages in an npm package-lock.json (or npm-shrinkwrap.json): lockfileVersion 1 (`dependencies`
 * tree) and 2/3 (`packages` keyed by install path). Dev and optional dependencies are included; the
 * root project, workspace folders and links are not (they are the project's own code).
 */
export function parsePackageLock(text: string): PackageSet {
  const lock = parseJsonText(text, "package-lock.json", "lockfile_malformed");
  if (!isJsonObject(lock)) throw malformed("the top level is not an object");
  const version = lock.lockfileVersion;
  if (typeof version !== "number") throw malformed("lockfileVersion is missing or not a number");
  if (version === 1) return fromDependencyTree(lock.dependencies);
  if (version === 2 || version === 3) return fromPackagesMap(lock.packages);
  throw new DependencyInputError(
    "lockfile_unsupported_version",
    `package-lock.json lockfileVersion ${version} is not supported (supported: 1, 2, 3)`,
  );
}

function fromPackagesMap(packages: unknown): PackageSet {
  if (!isJsonObject(packages)) throw malformed("lockfileVersion 2 and 3 need a `packages` object");
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [path, entry] of Object.entries(packages)) {
    if (!isJsonObject(entry)) throw malformed(`packages[${excerpt(path)}] is not an object`);
    const at = path.lastIndexOf(NODE_MODULES);
    // "" is the root project; paths outside node_modules are workspace folders.
    if (at === -1 || entry.link === true) continue;
    const name = typeof entry.name === "string" ? entry.name : path.slice(at + NODE_MODULES.length);
    if (typeof entry.version !== "string") throw malformed(`packages[${excerpt(path)}].version is missing`);
    npmEntry(name, entry.version, set);
  }
  return set;
}

function fromDependencyTree(dependencies: unknown): PackageSet {
  const set: PackageSet = { packages: [], unchecked: [] };
  if (dependencies === undefined) return set;
  // Iterative: nesting follows node_modules depth, which an input can make arbitrarily deep.
  const pending: { where: string; dependencies: unknown }[] = [{ where: "dependencies", dependencies }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (!isJsonObject(next.dependencies)) throw malformed(`${next.where} is not an object`);
    for (const [name, entry] of Object.entries(next.dependencies)) {
      const where = `${next.where}[${excerpt(name)}]`;
      if (!isJsonObject(entry) || typeof entry.version !== "string") throw malformed(`${where}.version is missing`);
      // An alias (`"foo": {"version": "npm:bar@1.0.0"}`) installs bar.
      const alias = entry.version.startsWith("npm:") ? splitNameAtSpec(entry.version.slice(4)) : null;
      npmEntry(alias?.name ?? name, alias?.spec ?? entry.version, set);
      if (entry.dependencies !== undefined) pending.push({ where: `${where}.dependencies`, dependencies: entry.dependencies });
    }
  }
  return set;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `package-lock.json: ${problem}`);
}
