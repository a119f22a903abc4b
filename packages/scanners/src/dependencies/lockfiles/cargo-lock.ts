import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet, UncheckedEntry } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import type { UncheckedKind } from "../unchecked-kind.js";
import { semverScheme } from "../version-schemes/semver.js";
import { parseTomlText } from "./parse-toml-text.js";

interface Crate {
  name: string;
  version: string;
  /** Absent for the workspace's own crates (members and path dependencies). */
  source: string | undefined;
  dependencies: string[];
}

// Cargo writes lockfile versions 1 (no `version` key) to 4; a later one may change what entries mean.
const MAX_LOCKFILE_VERSION = 4;
const MAX_SPEC = 512;

/**
 * Crates in a Cargo.lock (https://doc.rust-lang.org/cargo/guide/cargo-toml-vs-cargo-lock.html), any
 * lockfile version 1 to 4. A `[[package]]` without `source` is the project's own code (a workspace member
 * or a path dependency): not checked, and what it depends on is direct. `registry+`/`sparse+` sources are
 * checked (private registries too, as mirrors count for npm); `git+` sources are unchecked. Paths follow
 * the `dependencies` lists from the project's crates, shortest first.
 */
export function parseCargoLock(text: string): PackageSet {
  const lock = parseTomlText(text, "Cargo.lock");
  const version = lock.version;
  if (version !== undefined && (typeof version !== "number" || version > MAX_LOCKFILE_VERSION)) {
    throw new DependencyInputError(
      "lockfile_unsupported_version",
      `Cargo.lock version ${String(version)} is not supported (supported: 1 to 4)`,
    );
  }
  if (!Array.isArray(lock.package)) throw new DependencyInputError("lockfile_malformed", "Cargo.lock: no [[package]] entries");
  const set: PackageSet = { packages: [], unchecked: [] };
  const crates: Crate[] = [];
  for (const entry of lock.package as unknown[]) {
    const crate = readCrate(entry);
    if (typeof crate === "string") set.unchecked.push(cargoUnchecked(nameOf(entry), nameOf(entry), "malformed_entry", crate));
    else crates.push(crate);
  }
  const paths = dependencyPaths(crates);
  for (const crate of crates) {
    if (crate.source === undefined) continue;
    addCrate(crate, paths.get(crate), set);
  }
  return set;
}

function addCrate(crate: Crate, path: string[] | undefined, set: PackageSet): void {
  const spec = `${crate.name}@${crate.source ?? ""}`;
  if (crate.source?.startsWith("git+")) {
    set.unchecked.push(
      cargoUnchecked(
        crate.name,
        spec,
        "git",
        "installed from a git repository, not from the registry; advisories are matched by registry version",
      ),
    );
  } else if (!/^(?:registry|sparse)\+/.test(crate.source ?? "")) {
    set.unchecked.push(cargoUnchecked(crate.name, spec, "url", "installed from a source that is not a registry"));
  } else if (semverScheme.key(crate.version) === null) {
    set.unchecked.push(
      cargoUnchecked(crate.name, `${crate.name}@${crate.version}`, "invalid_version", "the version is not a SemVer version"),
    );
  } else {
    set.packages.push({
      ecosystem: "crates.io",
      name: crate.name,
      version: crate.version,
      ...(path !== undefined && { direct: path.length === 1, path }),
    });
  }
}

/**
 * The shortest chain of crate names from a dependency of the project's own crates down to each crate
 * reached (breadth first). Undefined for all when the file has no crate without a source.
 */
function dependencyPaths(crates: Crate[]): Map<Crate, string[]> {
  const byName = new Map<string, Crate[]>();
  for (const crate of crates) byName.set(crate.name, [...(byName.get(crate.name) ?? []), crate]);
  const paths = new Map<Crate, string[]>();
  const pending: Crate[] = [];
  for (const own of crates.filter((crate) => crate.source === undefined)) {
    for (const dependency of own.dependencies.map((d) => resolve(d, byName))) {
      if (dependency === undefined || dependency.source === undefined || paths.has(dependency)) continue;
      paths.set(dependency, [dependency.name]);
      pending.push(dependency);
    }
  }
  for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
    const path = paths.get(next) ?? [];
    for (const dependency of next.dependencies.map((d) => resolve(d, byName))) {
      if (dependency === undefined || dependency.source === undefined || paths.has(dependency)) continue;
      paths.set(dependency, [...path, dependency.name]);
      pending.push(dependency);
    }
  }
  return paths;
}

/** The crate a `dependencies` entry names: `name`, `name version` or (version 1) `name version (source)`. */
function resolve(reference: string, byName: Map<string, Crate[]>): Crate | undefined {
  const [name = "", version, source] = reference.split(" ", 3);
  const wantedSource = source?.replace(/^\((.*)\)$/, "$1");
  return byName
    .get(name)
    ?.find(
      (crate) => (version === undefined || crate.version === version) && (wantedSource === undefined || crate.source === wantedSource),
    );
}

function readCrate(entry: unknown): Crate | string {
  if (!isJsonObject(entry)) return "the [[package]] entry is not a table";
  const { name, version, source, dependencies = [] } = entry;
  if (typeof name !== "string" || name === "") return "the [[package]] entry has no name";
  if (typeof version !== "string") return "the [[package]] entry has no version";
  if (source !== undefined && typeof source !== "string") return "the [[package]] entry's source is not a string";
  if (!Array.isArray(dependencies) || !dependencies.every((d) => typeof d === "string"))
    return "the [[package]] entry's dependencies are not a list of strings";
  return { name, version, source, dependencies: dependencies as string[] };
}

function nameOf(entry: unknown): string {
  return isJsonObject(entry) && typeof entry.name === "string" ? entry.name : "";
}

function cargoUnchecked(name: string, spec: string, kind: UncheckedKind, reason: string): UncheckedEntry {
  return { ecosystem: "crates.io", name: name.slice(0, MAX_SPEC), spec: spec.slice(0, MAX_SPEC), kind, reason };
}
