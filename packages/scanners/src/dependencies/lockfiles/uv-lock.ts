import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { placeInGraph } from "./dependency-graph.js";
import { PYPI_SOURCES, addPypiEntry, addPypiNonIndex, pypiKey, pypiUnchecked } from "./pypi-entry.js";
import { parseTomlText } from "./parse-toml-text.js";

/**
 * Packages in a uv.lock (https://docs.astral.sh/uv/concepts/projects/layout/#the-lockfile). The project's
 * own entries (`source = { editable | virtual }`) give the roots: their `dependencies` and
 * `optional-dependencies` (extras ship to users) are direct, their `dev-dependencies` groups direct and
 * dev-only; the rest is placed through each entry's `dependencies`. `registry` sources are checked; `git`,
 * `path`, `directory` and `url` are unchecked, other workspace members too (the project itself, `.`, is left out).
 */
export function parseUvLock(text: string): PackageSet {
  const lock = parseTomlText(text, "uv.lock");
  if (typeof lock.version !== "number") throw malformed("`version` is missing or not a number");
  const entries = lock.package ?? [];
  if (!Array.isArray(entries)) throw malformed("`package` is not an array of tables");
  const tables = entries.filter(isJsonObject);
  const placement = placeInGraph(graphOf(tables));
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [index, entry] of entries.entries()) {
    if (!isJsonObject(entry) || typeof entry.name !== "string") {
      set.unchecked.push(pypiUnchecked("", `[[package]] #${index + 1}`, "malformed_entry", "the uv.lock [[package]] has no name"));
      continue;
    }
    const source = isJsonObject(entry.source) ? entry.source : {};
    const member = memberPath(source);
    if (member !== undefined) {
      if (member !== ".") addPypiNonIndex(set, entry.name, member, PYPI_SOURCES.workspace);
      continue;
    }
    if (typeof source.git === "string") addPypiNonIndex(set, entry.name, `git+${source.git}`, PYPI_SOURCES.git);
    else if (typeof source.url === "string") addPypiNonIndex(set, entry.name, source.url, PYPI_SOURCES.url);
    else if (typeof source.path === "string") addPypiNonIndex(set, entry.name, source.path, PYPI_SOURCES.file);
    else if (typeof source.directory === "string") addPypiNonIndex(set, entry.name, source.directory, PYPI_SOURCES.directory);
    else {
      const place = placement.get(pypiKey(entry.name));
      addPypiEntry(set, entry.name, entry.version, place ?? {});
    }
  }
  return set;
}

/** The folder of a workspace member (the project or one of its packages), if the source is one. */
function memberPath(source: Record<string, unknown>): string | undefined {
  const path = source.editable ?? source.virtual;
  return typeof path === "string" ? path : undefined;
}

function graphOf(tables: Record<string, unknown>[]) {
  const children = new Map<string, string[]>();
  const names = new Map<string, string>();
  const roots: { id: string; dev: boolean }[] = [];
  for (const table of tables) {
    if (typeof table.name !== "string") continue;
    const key = pypiKey(table.name);
    names.set(key, table.name);
    const own = dependencyNames(table.dependencies);
    children.set(key, [...(children.get(key) ?? []), ...own]);
    if (memberPath(isJsonObject(table.source) ? table.source : {}) === undefined) continue;
    const extras = isJsonObject(table["optional-dependencies"])
      ? Object.values(table["optional-dependencies"]).flatMap(dependencyNames)
      : [];
    const dev = isJsonObject(table["dev-dependencies"]) ? Object.values(table["dev-dependencies"]).flatMap(dependencyNames) : [];
    roots.push(...[...own, ...extras].map((id) => ({ id, dev: false })), ...dev.map((id) => ({ id, dev: true })));
  }
  return { roots, children: (id: string) => children.get(id) ?? [], name: (id: string) => names.get(id) ?? id };
}

function dependencyNames(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((d) => (isJsonObject(d) && typeof d.name === "string" ? [pypiKey(d.name)] : []));
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `uv.lock: ${problem}`);
}
