import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject, parseJsonText } from "../parse-json-text.js";
import { placeInGraph } from "./dependency-graph.js";
import { jsoncToJson } from "./jsonc-text.js";
import { addNonRegistry, addNpmEntry, npmUnchecked, splitNameAtSpec } from "./npm-entry.js";
import { NPM_SOURCES } from "./npm-source.js";

const PROD_FIELDS = ["dependencies", "optionalDependencies", "peerDependencies"] as const;
// bun 1.2 writes 0 and 1; a newer version may change the entries' layout.
const SUPPORTED_VERSIONS = new Set([0, 1]);

/**
 * Packages in a text bun.lock (bun ≥ 1.2, https://bun.sh/docs/install/lockfile): JSONC whose `packages`
 * map install paths (`ws-a/ms` is ms nested under ws-a) to `[ident, …]`, the ident `name@version` or
 * `name@<source>`; the alias key `string-width-cjs` with ident `string-width@4.2.3` is the real package.
 * `workspaces` list the project's dependencies: those are direct (dev-only from `devDependencies`), and
 * the rest is placed by resolving each entry's dependencies as node does, from its install path upwards.
 * `workspace:`, `file:`, `link:`, git and non-registry tarball idents are unchecked.
 */
export function parseBunLock(text: string): PackageSet {
  const lock = parseJsonText(jsoncToJson(text), "bun.lock", "lockfile_malformed");
  if (!isJsonObject(lock)) throw malformed("the top level is not an object");
  const version = lock.lockfileVersion;
  if (typeof version !== "number") throw malformed("lockfileVersion is missing or not a number");
  if (!SUPPORTED_VERSIONS.has(version)) {
    throw new DependencyInputError(
      "lockfile_unsupported_version",
      `bun.lock lockfileVersion ${version} is not supported (supported: 0, 1)`,
    );
  }
  const packages = lock.packages ?? {};
  if (!isJsonObject(packages)) throw malformed("`packages` is not an object");
  const placement = placeInGraph(graphOf(packages, isJsonObject(lock.workspaces) ? lock.workspaces : {}));
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [key, entry] of Object.entries(packages)) {
    const ident = Array.isArray(entry) && typeof entry[0] === "string" ? splitNameAtSpec(entry[0]) : null;
    if (ident === null) {
      set.unchecked.push(npmUnchecked(lastName(key), key, "malformed_entry", 'the bun.lock entry is not ["name@version", …]'));
      continue;
    }
    if (ident.spec.startsWith("workspace:")) {
      addNonRegistry(set, ident.name, ident.spec, NPM_SOURCES.workspace);
      continue;
    }
    const place = placement.get(key);
    // A registry entry's second element is its registry URL ("" for the default one); a tarball's is absent.
    addNpmEntry(set, ident.name, ident.spec, [ident.spec], place ?? {});
  }
  return set;
}

function graphOf(packages: Record<string, unknown>, workspaces: Record<string, unknown>) {
  const resolve = (from: string[], dependency: string): string[] => {
    for (let depth = from.length; depth >= 0; depth--) {
      const key = [...from.slice(0, depth), dependency].join("/");
      if (packages[key] !== undefined) return [key];
    }
    return [];
  };
  const roots: { id: string; dev: boolean }[] = [];
  for (const [path, workspace] of Object.entries(workspaces)) {
    if (!isJsonObject(workspace)) continue;
    // bun nests the versions one workspace needs apart from the others under the workspace's name.
    const from = path === "" || typeof workspace.name !== "string" ? [] : [workspace.name];
    for (const [field, dev] of [...PROD_FIELDS.map((f) => [f, false] as const), ["devDependencies", true] as const]) {
      const declared = workspace[field];
      if (!isJsonObject(declared)) continue;
      for (const name of Object.keys(declared)) roots.push(...resolve(from, name).map((id) => ({ id, dev })));
    }
  }
  const children = (key: string): string[] => {
    const entry = packages[key];
    const info = Array.isArray(entry) ? entry.find(isJsonObject) : undefined;
    if (info === undefined) return [];
    const from = installPath(key);
    return PROD_FIELDS.flatMap((field) =>
      isJsonObject(info[field]) ? Object.keys(info[field]).flatMap((name) => resolve(from, name)) : [],
    );
  };
  const name = (key: string): string => {
    const entry = packages[key];
    const ident = Array.isArray(entry) && typeof entry[0] === "string" ? splitNameAtSpec(entry[0]) : null;
    return ident?.name ?? lastName(key);
  };
  return { roots, children, name };
}

/** The package names of an install path (`@s/a/@s/b/c` → `@s/a`, `@s/b`, `c`). */
function installPath(key: string): string[] {
  const names: string[] = [];
  const parts = key.split("/");
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    names.push(part.startsWith("@") && i + 1 < parts.length ? `${part}/${parts[++i] as string}` : part);
  }
  return names;
}

function lastName(key: string): string {
  return installPath(key).at(-1) ?? key;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `bun.lock: ${problem}`);
}
