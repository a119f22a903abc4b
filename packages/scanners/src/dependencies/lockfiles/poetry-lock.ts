import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { placeInGraph } from "./dependency-graph.js";
import { parseTomlText } from "./parse-toml-text.js";
import type { PypiSource } from "./pypi-entry.js";
import { PYPI_SOURCES, addPypiEntry, addPypiNonIndex, pypiKey, pypiUnchecked } from "./pypi-entry.js";

// `legacy` (a private index) and `pypi` serve index releases; the others are the project's or a URL's files.
const NON_INDEX_SOURCES: Record<string, PypiSource> = {
  git: PYPI_SOURCES.git,
  directory: PYPI_SOURCES.directory,
  file: PYPI_SOURCES.file,
  url: PYPI_SOURCES.url,
};

/**
 * Packages in a poetry.lock (https://python-poetry.org/docs/basic-usage/#committing-your-poetrylock-file-to-version-control).
 * Dev-only: `category = "dev"` (lock-version 1.x) or `groups` without `main` (poetry ≥ 2). The file does not
 * list the project's own dependencies, but every locked package is needed by the project, so one no other
 * locked package depends on is direct; paths run from those through `[package.dependencies]`. Others keep
 * `direct` absent (they may also be direct). Sources `git`, `directory`, `file`, `url` are unchecked.
 */
export function parsePoetryLock(text: string): PackageSet {
  const lock = parseTomlText(text, "poetry.lock");
  const entries = lock.package ?? [];
  if (!Array.isArray(entries)) throw malformed("`package` is not an array of tables");
  if (entries.length === 0 && !isJsonObject(lock.metadata)) throw malformed("no [[package]] and no [metadata]: not a poetry.lock");
  const tables = entries.filter(isJsonObject);
  const children = new Map<string, string[]>();
  for (const table of tables) {
    if (typeof table.name !== "string") continue;
    const dependencies = isJsonObject(table.dependencies) ? Object.keys(table.dependencies).map(pypiKey) : [];
    children.set(pypiKey(table.name), [...(children.get(pypiKey(table.name)) ?? []), ...dependencies]);
  }
  const needed = new Set([...children.values()].flat());
  // Dev roots go last, so a package that a main one also needs gets its path through the main one.
  const roots = tables.flatMap((t) => {
    const id = typeof t.name === "string" ? pypiKey(t.name) : undefined;
    return id === undefined || needed.has(id) ? [] : [{ id, dev: devOnly(t) === true }];
  });
  const names = new Map(tables.flatMap((t) => (typeof t.name === "string" ? [[pypiKey(t.name), t.name] as const] : [])));
  const placement = placeInGraph({ roots, children: (id) => children.get(id) ?? [], name: (id) => names.get(id) ?? id });

  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [index, entry] of entries.entries()) {
    if (!isJsonObject(entry) || typeof entry.name !== "string") {
      set.unchecked.push(pypiUnchecked("", `[[package]] #${index + 1}`, "malformed_entry", "the poetry.lock [[package]] has no name"));
      continue;
    }
    const source = isJsonObject(entry.source) ? entry.source : undefined;
    const nonIndex = typeof source?.type === "string" ? NON_INDEX_SOURCES[source.type] : undefined;
    if (nonIndex !== undefined) {
      const where = [source?.url, source?.resolved_reference ?? source?.reference].filter((s) => typeof s === "string").join("#");
      addPypiNonIndex(set, entry.name, where === "" ? String(source?.type) : where, nonIndex);
      continue;
    }
    const place = placement.get(pypiKey(entry.name));
    const dev = devOnly(entry);
    addPypiEntry(set, entry.name, entry.version, {
      ...(place?.direct === true && { direct: true }),
      ...(dev !== undefined && { dev }),
      ...(place !== undefined && { path: place.path }),
    });
  }
  return set;
}

function devOnly(entry: Record<string, unknown>): boolean | undefined {
  if (Array.isArray(entry.groups)) return !entry.groups.includes("main");
  if (typeof entry.category === "string") return entry.category === "dev";
  return undefined;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `poetry.lock: ${problem}`);
}
