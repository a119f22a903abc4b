import { DependencyInputError } from "../dependency-input-error.js";
import { excerpt } from "../excerpt.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { addNonRegistry, addNpmEntry, nonStringField, npmUnchecked, splitNameAtSpec } from "./npm-entry.js";
import type { NonRegistrySource } from "./npm-source.js";
import { NPM_SOURCES, nonRegistrySource } from "./npm-source.js";
import { parseYamlText } from "./parse-yaml-text.js";
import { placeInGraph } from "./dependency-graph.js";
import type { Placement } from "./dependency-graph.js";
import { pnpmLockGraph, pnpmPackageId } from "./pnpm-lock-graph.js";

// pnpm 7 writes 5.x, pnpm 8 6.x, pnpm 9 and 10 9.x. 7 and 8 were never released; accepted for the
// same layout as their neighbours.
const SUPPORTED_MAJORS = new Set([5, 6, 7, 8, 9]);
const DEPENDENCY_FIELDS = ["dependencies", "optionalDependencies", "devDependencies"] as const;
const PACKAGE_NAME = /^(?:@[^/@]+\/)?[^/@]+$/;

/**
 * Packages in a pnpm-lock.yaml (lockfileVersion 5.x to 9.x), from the keys of `packages`:
 * `/name/version_peers` (5.x), `/name@version(peers)` (6.x), `name@version` (9.x, whose peer variants
 * live in `snapshots`); a key without the leading `/` names the registry host first
 * (`registry.npmjs.org/foo/1.1.0`). Packages from a directory, a local or non-registry tarball or git, and
 * the importers' `link:` dependencies (workspace packages, linked folders) are unchecked. An empty or
 * comment-only file names no packages (pnpm ignores it as it would a missing lockfile).
 */
export function parsePnpmLock(text: string): PackageSet {
  const lock = parseYamlText(text, "pnpm-lock.yaml");
  const set: PackageSet = { packages: [], unchecked: [] };
  if (lock === null || lock === undefined) return set;
  if (!isJsonObject(lock)) throw malformed("the top level is not a mapping");
  const major = Math.trunc(Number.parseFloat(String(lock.lockfileVersion)));
  if (lock.lockfileVersion === undefined || Number.isNaN(major)) throw malformed("lockfileVersion is missing");
  if (!SUPPORTED_MAJORS.has(major)) {
    throw new DependencyInputError(
      "lockfile_unsupported_version",
      `pnpm-lock.yaml lockfileVersion ${excerpt(String(lock.lockfileVersion))} is not supported (supported: 5.x to 9.x)`,
    );
  }
  if (lock.packages !== undefined && lock.packages !== null) {
    if (!isJsonObject(lock.packages)) throw malformed("`packages` is not a mapping");
    const keyName = (key: string) => (major >= 9 ? splitNameAtSpec(key) : splitDepPath(key, major));
    const placement = placeInGraph(
      pnpmLockGraph(lock, (key) => {
        const parsed = keyName(key);
        return parsed === null ? undefined : pnpmPackageId(parsed.name, parsed.spec);
      }),
    );
    for (const [key, entry] of Object.entries(lock.packages)) addPackage(key, entry, major, set, placement);
  }
  addLinks(lock, set);
  return set;
}

function addPackage(key: string, entry: unknown, major: number, set: PackageSet, placement: Map<string, Placement>): void {
  const parsed = major >= 9 ? splitNameAtSpec(key) : splitDepPath(key, major);
  if (entry !== null && entry !== undefined && !isJsonObject(entry)) {
    set.unchecked.push(npmUnchecked(parsed?.name ?? key, key, "malformed_entry", "the pnpm-lock entry is not a mapping"));
    return;
  }
  const meta = entry ?? {};
  const wrongType = nonStringField(meta, ["name", "version"]);
  if (wrongType !== undefined) {
    set.unchecked.push(npmUnchecked(parsed?.name ?? key, key, "malformed_entry", `the pnpm-lock entry's ${wrongType} is not a string`));
    return;
  }
  // Packages not from the registry carry their real name (and version, if they have one) in the entry.
  const name = typeof meta.name === "string" ? meta.name : parsed?.name;
  if (name === undefined || name === "") {
    set.unchecked.push(npmUnchecked(key, key, "malformed_entry", "the pnpm-lock key names no package"));
    return;
  }
  const fromResolution = resolutionSource(meta.resolution, name);
  if (fromResolution !== null) {
    addNonRegistry(set, name, fromResolution.where, fromResolution.source);
    return;
  }
  // The key's spec may itself be the source (9.x `name@file:…`, 5.x/6.x `file:…` keys).
  const keySpec = parsed?.spec ?? (/^(?:file|link):/.test(key) ? key : undefined);
  const version = typeof meta.version === "string" ? meta.version : parsed === null ? undefined : stripPeers(parsed.spec, major);
  const place = parsed === null || version === undefined ? undefined : placement.get(pnpmPackageId(parsed.name, version));
  // 5.x and 6.x say dev-only themselves (`dev: true`, `dev: false`; absent for both dev and prod); 9.x only through importers.
  const dev =
    typeof meta.dev === "boolean" ? meta.dev : major >= 9 ? place?.dev : meta.dev === undefined && place === undefined ? undefined : false;
  const flags = { ...(place !== undefined && { direct: place.direct, path: place.path }), ...(dev !== undefined && { dev }) };
  addNpmEntry(set, name, version, [keySpec], flags);
}

/** Where `resolution` says the package comes from, when that is not the registry. */
function resolutionSource(resolution: unknown, name: string): { where: string; source: NonRegistrySource } | null {
  if (!isJsonObject(resolution)) return null;
  if (typeof resolution.directory === "string") return { where: `file:${resolution.directory}`, source: NPM_SOURCES.directory };
  if (resolution.type === "git" || typeof resolution.commit === "string") {
    const repo = typeof resolution.repo === "string" ? resolution.repo : "";
    // Spelled as npm spells a git dependency (`git+https://…#commit`), so it reads the same in every lockfile.
    const where = `${/^git[+:@]/.test(repo) ? "" : "git+"}${repo}#${String(resolution.commit ?? "")}`;
    return { where, source: NPM_SOURCES.git };
  }
  if (typeof resolution.tarball !== "string") return null;
  const source = nonRegistrySource(resolution.tarball, name);
  return source === null ? null : { where: resolution.tarball, source };
}

/**
 * A 5.x/6.x dependency path: `/name/1.0.0_peers`, `/name@1.0.0(peers)`, or without the leading `/` the
 * registry host first (`registry.npmjs.org/@scope/name/1.0.0`). Null for a path that names no registry
 * package (`file:…`, `link:…`); their entries carry the name.
 */
function splitDepPath(key: string, major: number): { name: string; spec: string } | null {
  if (/^(?:file|link):/.test(key)) return null;
  const path = key.startsWith("/") ? key.slice(1) : key.slice(key.indexOf("/") + 1);
  if (major >= 6) {
    const atForm = splitNameAtSpec(path);
    if (atForm !== null && PACKAGE_NAME.test(atForm.name)) return atForm;
  }
  const slash = path.lastIndexOf("/");
  return slash <= 0 ? null : { name: path.slice(0, slash), spec: path.slice(slash + 1) };
}

// A semver never contains "(" or "_": from the first "_" (5.x) or "(" (6.x on) starts the peer suffix.
function stripPeers(version: string, major: number): string {
  return version.replace(major < 6 ? /_.*$/s : /\(.*$/s, "");
}

/**
 * The importers' `link:` dependencies: workspace packages and linked folders, which pnpm lists only there.
 * A lockfile without a workspace keeps its one importer at the top level.
 */
function addLinks(lock: Record<string, unknown>, set: PackageSet): void {
  const importers = [lock, ...(isJsonObject(lock.importers) ? Object.values(lock.importers) : [])];
  for (const importer of importers.filter(isJsonObject)) {
    for (const dependencies of DEPENDENCY_FIELDS.map((field) => importer[field]).filter(isJsonObject)) {
      for (const [name, value] of Object.entries(dependencies)) {
        // 5.x: `name: version`; 6.x and 9.x: `name: {specifier, version}`.
        const version = isJsonObject(value) ? value.version : value;
        if (typeof version === "string" && version.startsWith("link:")) addNonRegistry(set, name, version, NPM_SOURCES.workspace);
      }
    }
  }
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `pnpm-lock.yaml: ${problem}`);
}
