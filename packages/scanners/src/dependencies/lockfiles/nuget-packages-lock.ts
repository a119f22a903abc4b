import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageRef, PackageSet, UncheckedEntry } from "../package-set.js";
import { isJsonObject, parseJsonText } from "../parse-json-text.js";
import { nugetScheme } from "../version-schemes/nuget.js";

// NuGet writes 1, and 2 since central package management; both have the same layout.
const SUPPORTED_VERSIONS = new Set([1, 2]);
const PACKAGE_TYPES = new Set(["Direct", "Transitive", "CentralTransitive"]);
const MAX_SPEC = 512;

interface Entry {
  name: string;
  type: string;
  resolved: string;
  dependencies: string[];
}

/**
 * Packages in a NuGet `packages.lock.json` (https://learn.microsoft.com/en-us/nuget/consume-packages/package-references-in-project-files#locking-dependencies):
 * `dependencies` maps each target framework (and runtime, `net8.0/win-x64`) to the packages restored for it.
 * A package listed for several targets is one package. `Direct` entries are the project's own references;
 * paths follow each entry's `dependencies` from them (ids compared case-insensitively, as NuGet does).
 * `Project` entries are other projects of the solution, the project's own code: unchecked.
 */
export function parseNuGetPackagesLock(text: string): PackageSet {
  const lock = parseJsonText(text, "packages.lock.json", "lockfile_malformed");
  if (!isJsonObject(lock)) throw malformed("the top level is not an object");
  if (typeof lock.version !== "number") throw malformed("version is missing or not a number");
  if (!SUPPORTED_VERSIONS.has(lock.version)) {
    throw new DependencyInputError(
      "lockfile_unsupported_version",
      `packages.lock.json version ${lock.version} is not supported (supported: 1, 2)`,
    );
  }
  if (!isJsonObject(lock.dependencies)) throw malformed("`dependencies` is missing or not an object");
  const packages = new Map<string, PackageRef>();
  const unchecked: UncheckedEntry[] = [];
  for (const [target, entries] of Object.entries(lock.dependencies)) {
    if (!isJsonObject(entries)) {
      unchecked.push({
        ecosystem: "NuGet",
        name: target,
        spec: target,
        kind: "malformed_entry",
        reason: "the target framework's packages are not an object",
      });
      continue;
    }
    for (const ref of targetPackages(entries, unchecked)) {
      const key = `${ref.name.toLowerCase()}@${ref.version}`;
      const seen = packages.get(key);
      packages.set(key, seen === undefined ? ref : mergeTargets(seen, ref));
    }
  }
  // A project reference is listed once per target too.
  const uniqueUnchecked = [...new Map(unchecked.map((u) => [`${u.kind}\u0000${u.spec}\u0000${u.reason}`, u])).values()];
  return { packages: [...packages.values()], unchecked: uniqueUnchecked };
}

/** The packages of one target framework, with paths from its direct ones. */
function targetPackages(entries: Record<string, unknown>, unchecked: UncheckedEntry[]): PackageRef[] {
  const byName = new Map<string, Entry>();
  for (const [name, value] of Object.entries(entries)) {
    const entry = readEntry(name, value, unchecked);
    if (entry !== undefined) byName.set(name.toLowerCase(), entry);
  }
  const paths = pathsFrom(byName);
  const refs: PackageRef[] = [];
  for (const [key, entry] of byName) {
    if (entry.type === "Project") continue;
    const ref: PackageRef = { ecosystem: "NuGet", name: entry.name, version: entry.resolved, direct: entry.type === "Direct" };
    const path = paths.get(key);
    if (path !== undefined) ref.path = path;
    refs.push(ref);
  }
  return refs;
}

function readEntry(name: string, value: unknown, unchecked: UncheckedEntry[]): Entry | undefined {
  const problem = (spec: string, kind: UncheckedEntry["kind"], reason: string) => {
    unchecked.push({ ecosystem: "NuGet", name, spec: spec.slice(0, MAX_SPEC), kind, reason });
    return undefined;
  };
  if (!isJsonObject(value)) return problem(name, "malformed_entry", "the packages.lock.json entry is not an object");
  const { type, resolved } = value;
  if (type === "Project") {
    problem(`${name}@project`, "workspace", "a project of the solution (a project reference), the project's own code");
    return { name, type, resolved: "", dependencies: dependencyNames(value.dependencies) };
  }
  if (typeof type !== "string" || !PACKAGE_TYPES.has(type))
    return problem(name, "malformed_entry", "the packages.lock.json entry's type is not Direct, Transitive, CentralTransitive or Project");
  if (resolved === undefined) return problem(name, "no_version", "the lockfile gives no version for it");
  if (typeof resolved !== "string") return problem(name, "malformed_entry", "the packages.lock.json entry's resolved is not a string");
  if (nugetScheme.key(resolved) === null) return problem(`${name}@${resolved}`, "invalid_version", "the version is not a NuGet version");
  return { name, type, resolved: resolved.trim(), dependencies: dependencyNames(value.dependencies) };
}

function dependencyNames(dependencies: unknown): string[] {
  return isJsonObject(dependencies) ? Object.keys(dependencies).map((name) => name.toLowerCase()) : [];
}

/**
 * The shortest chain of names to each package, breadth-first from the direct packages; packages only
 * another project of the solution brings in start their chain below that project.
 */
function pathsFrom(byName: Map<string, Entry>): Map<string, string[]> {
  const paths = new Map<string, string[]>();
  const queue: string[] = [];
  const visit = (key: string, parent: string[]) => {
    const entry = byName.get(key);
    if (entry === undefined || entry.type === "Project" || paths.has(key)) return;
    paths.set(key, [...parent, entry.name]);
    queue.push(key);
  };
  let head = 0;
  const walk = () => {
    for (; head < queue.length; head++) {
      const key = queue[head] as string;
      const path = paths.get(key) as string[];
      for (const dependency of byName.get(key)?.dependencies ?? []) visit(dependency, path);
    }
  };
  for (const [key, entry] of byName) if (entry.type === "Direct") visit(key, []);
  walk();
  for (const entry of byName.values()) if (entry.type === "Project") for (const key of entry.dependencies) visit(key, []);
  walk();
  return paths;
}

/** One package restored for several targets: direct if it is for any, with the shortest path. */
function mergeTargets(a: PackageRef, b: PackageRef): PackageRef {
  const merged: PackageRef = { ...a, direct: a.direct === true || b.direct === true };
  const path = a.path === undefined || (b.path !== undefined && b.path.length < a.path.length) ? b.path : a.path;
  if (path === undefined) delete merged.path;
  else merged.path = path;
  return merged;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `packages.lock.json: ${problem}`);
}
