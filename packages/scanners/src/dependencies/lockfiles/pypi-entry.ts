import { valid as validPep440 } from "@renovatebot/pep440";
import { pypi } from "../ecosystems/pypi.js";
import type { PackageRef, PackageSet } from "../package-set.js";
import type { UncheckedKind } from "../unchecked-kind.js";
import type { Placement } from "./dependency-graph.js";

const MAX_SPEC = 512;

/** Where a locked Python package comes from when that is not a package index, and why it is therefore not checked. */
export interface PypiSource {
  kind: Extract<UncheckedKind, "git" | "path" | "url" | "workspace">;
  reason: string;
}

// One sentence per source, the same in every Python lockfile, so the same dependency reads the same.
export const PYPI_SOURCES = {
  git: { kind: "git", reason: "installed from a VCS repository, not from a package index; advisories are matched by index version" },
  directory: { kind: "path", reason: "installed from a local directory, not from a package index" },
  file: { kind: "path", reason: "installed from a local archive or wheel, not from a package index" },
  url: { kind: "url", reason: "installed from a URL that is not a package index" },
  workspace: { kind: "workspace", reason: "a member of the project's own workspace (editable or virtual), the project's own code" },
} as const satisfies Record<string, PypiSource>;

/** A PyPI name as the graph keys it (PEP 503), so `Jinja2` and `jinja2` are one node. */
export function pypiKey(name: string): string {
  return pypi.normalizeName(name);
}

/** Adds one locked package, checked if its version is PEP 440, with what the lockfile says of its place. */
export function addPypiEntry(into: PackageSet, name: string, version: unknown, flags: Partial<Placement> = {}): void {
  if (typeof version !== "string" || version.trim() === "") {
    into.unchecked.push(pypiUnchecked(name, name, "no_version", "the lockfile gives no version for it"));
  } else if (validPep440(version) === null) {
    into.unchecked.push(pypiUnchecked(name, `${name}@${version}`, "invalid_version", "the version is not a PEP 440 version"));
  } else {
    const ref: PackageRef = { ecosystem: "PyPI", name, version };
    if (flags.direct !== undefined) ref.direct = flags.direct;
    if (flags.dev !== undefined) ref.dev = flags.dev;
    if (flags.path !== undefined) ref.path = flags.path;
    into.packages.push(ref);
  }
}

/** Adds a package installed from somewhere other than an index; `where` is the lockfile's URL or path. */
export function addPypiNonIndex(into: PackageSet, name: string, where: string, source: PypiSource): void {
  into.unchecked.push(pypiUnchecked(name, `${name}@${where}`, source.kind, source.reason));
}

/** An unchecked PyPI entry, its spec capped in length. */
export function pypiUnchecked(name: string, spec: string, kind: UncheckedKind, reason: string): PackageSet["unchecked"][number] {
  return { ecosystem: "PyPI", name: name.slice(0, MAX_SPEC), spec: spec.slice(0, MAX_SPEC), kind, reason };
}

/** The name of a PEP 508 requirement (`certifi>=2017.4.17`, `urllib3[socks]; python_version < "3"`), if it has one. */
export function requirementName(requirement: string): string | undefined {
  return /^\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)/.exec(requirement)?.[1];
}
