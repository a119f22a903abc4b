import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { PYPI_SOURCES, addPypiEntry, addPypiNonIndex, pypiUnchecked } from "./pypi-entry.js";
import { parseTomlText } from "./parse-toml-text.js";

/**
 * Packages in a pdm.lock (https://pdm-project.org/latest/usage/lockfile/). Dev-only: `groups` without
 * `default`. Entries with `git`, `path`, `url` (not an index) or `editable` are unchecked. The file lists
 * the project's own dependencies nowhere, so direct and paths are left out.
 */
export function parsePdmLock(text: string): PackageSet {
  const lock = parseTomlText(text, "pdm.lock");
  if (!isJsonObject(lock.metadata)) throw malformed("no [metadata] table: not a pdm.lock");
  const entries = lock.package ?? [];
  if (!Array.isArray(entries)) throw malformed("`package` is not an array of tables");
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [index, entry] of entries.entries()) {
    if (!isJsonObject(entry) || typeof entry.name !== "string") {
      set.unchecked.push(pypiUnchecked("", `[[package]] #${index + 1}`, "malformed_entry", "the pdm.lock [[package]] has no name"));
      continue;
    }
    if (typeof entry.git === "string") {
      const revision = typeof entry.revision === "string" ? `#${entry.revision}` : "";
      addPypiNonIndex(set, entry.name, `git+${entry.git}${revision}`, PYPI_SOURCES.git);
    } else if (typeof entry.path === "string") {
      addPypiNonIndex(set, entry.name, entry.path, /\.(?:whl|zip|tar\.gz)$/i.test(entry.path) ? PYPI_SOURCES.file : PYPI_SOURCES.directory);
    } else if (typeof entry.url === "string") {
      addPypiNonIndex(set, entry.name, entry.url, PYPI_SOURCES.url);
    } else if (entry.editable === true) {
      addPypiNonIndex(set, entry.name, "editable", PYPI_SOURCES.directory);
    } else {
      addPypiEntry(set, entry.name, entry.version, Array.isArray(entry.groups) ? { dev: !entry.groups.includes("default") } : {});
    }
  }
  return set;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `pdm.lock: ${problem}`);
}
