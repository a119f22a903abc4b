import { isJsonObject } from "../parse-json-text.js";
import type { DependencyGraph } from "./dependency-graph.js";
import { splitNameAtSpec } from "./npm-entry.js";

const PROD_FIELDS = ["dependencies", "optionalDependencies"] as const;

/** How the graph names one installed package: `name@version`, peer suffixes dropped. */
export function pnpmPackageId(name: string, version: string): string {
  return `${name}@${version.replace(/[_(].*$/s, "")}`;
}

/**
 * The dependency graph of a pnpm-lock.yaml: the importers' (root and workspace packages) declared
 * dependencies are the roots, dev from `devDependencies`; each package's dependencies come from its entry
 * in `snapshots` (9.x) or `packages` (5.x, 6.x). `idOf` gives the package a lockfile key stands for.
 */
export function pnpmLockGraph(lock: Record<string, unknown>, idOf: (key: string) => string | undefined): DependencyGraph {
  const importers = [lock, ...(isJsonObject(lock.importers) ? Object.values(lock.importers) : [])].filter(isJsonObject);
  const roots = importers.flatMap((importer) => [
    ...declared(importer, PROD_FIELDS).map((id) => ({ id, dev: false })),
    ...declared(importer, ["devDependencies"]).map((id) => ({ id, dev: true })),
  ]);
  const children = new Map<string, string[]>();
  for (const table of [lock.packages, lock.snapshots].filter(isJsonObject)) {
    for (const [key, entry] of Object.entries(table)) {
      const id = idOf(key);
      if (id === undefined || !isJsonObject(entry)) continue;
      children.set(id, [...(children.get(id) ?? []), ...declared(entry, PROD_FIELDS)]);
    }
  }
  return { roots, children: (id) => children.get(id) ?? [], name: (id) => id.slice(0, id.indexOf("@", 1)) };
}

/** The packages `fields` of an importer or entry point at: `name: version` or, in importers from 6.x, `name: {version}`. */
function declared(owner: Record<string, unknown>, fields: readonly string[]): string[] {
  return fields.flatMap((field) => {
    const dependencies = owner[field];
    if (!isJsonObject(dependencies)) return [];
    return Object.entries(dependencies).flatMap(([name, value]) => {
      const version = isJsonObject(value) ? value.version : value;
      return typeof version === "string" ? (dependencyId(name, version) ?? []) : [];
    });
  });
}

/** The package a dependency's version points at; an alias (`string-width@4.2.3`, `/string-width@4.2.3`, 5.x `/string-width/4.2.3`) names its own. */
function dependencyId(name: string, version: string): string | undefined {
  if (/^(?:link|file):/.test(version)) return undefined;
  const path = version.replace(/^\//, "");
  if (/^\d/.test(path)) return pnpmPackageId(name, path);
  const aliased = splitNameAtSpec(path);
  if (aliased !== null && /^\d/.test(aliased.spec)) return pnpmPackageId(aliased.name, aliased.spec);
  const slash = path.lastIndexOf("/");
  return slash > 0 && /^\d/.test(path.slice(slash + 1)) ? pnpmPackageId(path.slice(0, slash), path.slice(slash + 1)) : undefined;
}
