import { isJsonObject } from "../parse-json-text.js";
import type { DependencyGraph } from "./dependency-graph.js";

const NODE_MODULES = "node_modules/";
const PROD_FIELDS = ["dependencies", "optionalDependencies", "peerDependencies"] as const;

/**
 * The install tree of a package-lock `packages` map as a graph: the root project's and the workspace
 * folders' declared dependencies are the roots (dev from `devDependencies`), and each entry's dependencies
 * resolve as node resolves them, from its own `node_modules` upwards. Links stand for their target folder.
 */
export function packageLockGraph(packages: Record<string, unknown>): DependencyGraph {
  const resolve = (from: string, name: string): string | undefined => {
    for (let dir = from; ; dir = parentDir(dir)) {
      const candidate = `${dir === "" ? "" : `${dir}/`}${NODE_MODULES}${name}`;
      if (packages[candidate] !== undefined) return candidate;
      if (dir === "") return undefined;
    }
  };
  const declared = (path: string, fields: readonly string[]): string[] => {
    const entry = packages[path];
    if (!isJsonObject(entry)) return [];
    return fields
      .flatMap((field) => (isJsonObject(entry[field]) ? Object.keys(entry[field]) : []))
      .flatMap((name) => resolve(path, name) ?? []);
  };
  const projectFolders = Object.keys(packages).filter((path) => !path.includes(NODE_MODULES));
  const roots = projectFolders.flatMap((folder) => [
    ...declared(folder, PROD_FIELDS).map((id) => ({ id, dev: false })),
    ...declared(folder, ["devDependencies"]).map((id) => ({ id, dev: true })),
  ]);
  const children = (path: string): string[] => {
    const entry = packages[path];
    const target = isJsonObject(entry) && entry.link === true && typeof entry.resolved === "string" ? entry.resolved : path;
    return declared(target, PROD_FIELDS);
  };
  const name = (path: string): string => {
    const entry = packages[path];
    return isJsonObject(entry) && typeof entry.name === "string"
      ? entry.name
      : path.slice(path.lastIndexOf(NODE_MODULES) + NODE_MODULES.length);
  };
  return { roots, children, name };
}

/** The folder whose node_modules holds `dir` (`node_modules/a/node_modules/b` → `node_modules/a`); `` for the top. */
function parentDir(dir: string): string {
  const at = dir.lastIndexOf(`/${NODE_MODULES}`);
  if (at !== -1) return dir.slice(0, at);
  return "";
}
