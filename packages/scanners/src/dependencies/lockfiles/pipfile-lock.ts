import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject, parseJsonText } from "../parse-json-text.js";
import { PYPI_SOURCES, addPypiEntry, addPypiNonIndex, pypiUnchecked } from "./pypi-entry.js";

/**
 * Packages in a Pipfile.lock (pipenv, https://pipenv.pypa.io/en/latest/pipfile.html): `default` and
 * `develop` (dev-only), each flattened, so direct and transitive cannot be told apart. `version` is
 * `==1.2.3`; `git`/`hg`/`svn`, `path`, `file` entries and editable installs are unchecked.
 */
export function parsePipfileLock(text: string): PackageSet {
  const lock = parseJsonText(text, "Pipfile.lock", "lockfile_malformed");
  if (!isJsonObject(lock)) throw malformed("the top level is not an object");
  if (!isJsonObject(lock._meta) && lock.default === undefined && lock.develop === undefined) {
    throw malformed("no _meta, default or develop: not a Pipfile.lock");
  }
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [section, dev] of [
    ["default", false],
    ["develop", true],
  ] as const) {
    const packages = lock[section];
    if (packages === undefined || packages === null) continue;
    if (!isJsonObject(packages)) throw malformed(`\`${section}\` is not an object`);
    for (const [name, entry] of Object.entries(packages)) addEntry(set, name, entry, dev);
  }
  return set;
}

function addEntry(set: PackageSet, name: string, entry: unknown, dev: boolean): void {
  if (!isJsonObject(entry)) {
    set.unchecked.push(pypiUnchecked(name, name, "malformed_entry", "the Pipfile.lock entry is not an object"));
    return;
  }
  const vcs = ["git", "hg", "svn", "bzr"].find((key) => typeof entry[key] === "string");
  if (vcs !== undefined) {
    const ref = typeof entry.ref === "string" ? `#${entry.ref}` : "";
    addPypiNonIndex(set, name, `${vcs}+${String(entry[vcs])}${ref}`, PYPI_SOURCES.git);
  } else if (typeof entry.path === "string") {
    addPypiNonIndex(set, name, entry.path, /\.(?:whl|zip|tar\.gz|tgz)$/i.test(entry.path) ? PYPI_SOURCES.file : PYPI_SOURCES.directory);
  } else if (typeof entry.file === "string") {
    addPypiNonIndex(set, name, entry.file, /^file:/i.test(entry.file) ? PYPI_SOURCES.file : PYPI_SOURCES.url);
  } else if (entry.editable === true) {
    addPypiNonIndex(set, name, "editable", PYPI_SOURCES.directory);
  } else if (typeof entry.version !== "string") {
    set.unchecked.push(pypiUnchecked(name, name, "no_version", "the lockfile gives no version for it"));
  } else {
    const pin = /^===?\s*(\S+)$/.exec(entry.version.trim())?.[1];
    if (pin === undefined)
      set.unchecked.push(pypiUnchecked(name, `${name}${entry.version}`, "unpinned", "not pinned to one version with =="));
    else addPypiEntry(set, name, pin, { dev });
  }
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `Pipfile.lock: ${problem}`);
}
