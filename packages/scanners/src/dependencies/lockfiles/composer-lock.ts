import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageSet, UncheckedEntry } from "../package-set.js";
import { isJsonObject, parseJsonText } from "../parse-json-text.js";
import { composerScheme } from "../version-schemes/composer.js";

const MAX_SPEC = 256;

/**
 * Packages in a Composer composer.lock: `packages` and `packages-dev` (flagged `dev: true`). Released versions
 * are checked (`v1.2.3` as Composer reads it); branches (`dev-main`, `2.x-dev`) and packages installed from
 * a path go to `unchecked`. The lock does not record the root's requirements, so direct and path are not known.
 */
export function parseComposerLock(text: string): PackageSet {
  const lock = parseJsonText(text, "composer.lock", "lockfile_malformed");
  if (!isJsonObject(lock)) throw malformed("the top level is not an object");
  if (!Array.isArray(lock.packages) && !Array.isArray(lock["packages-dev"]))
    throw malformed("neither `packages` nor `packages-dev` is a list");
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [field, dev] of [
    ["packages", false],
    ["packages-dev", true],
  ] as const) {
    const entries = lock[field];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) throw malformed(`\`${field}\` is not a list`);
    for (const entry of entries) addEntry(entry, dev, set);
  }
  return set;
}

function addEntry(entry: unknown, dev: boolean, set: PackageSet): void {
  if (!isJsonObject(entry) || typeof entry.name !== "string" || typeof entry.version !== "string") {
    const name = isJsonObject(entry) && typeof entry.name === "string" ? entry.name : "";
    set.unchecked.push(
      unchecked(name, JSON.stringify(entry) ?? "", "malformed_entry", "the composer.lock entry has no name and version strings"),
    );
    return;
  }
  const { name, version } = entry;
  const sourceType = isJsonObject(entry.source) ? entry.source.type : undefined;
  const distType = isJsonObject(entry.dist) ? entry.dist.type : undefined;
  if (sourceType === "path" || distType === "path") {
    const url =
      (isJsonObject(entry.dist) && typeof entry.dist.url === "string" ? entry.dist.url : undefined) ??
      (isJsonObject(entry.source) && typeof entry.source.url === "string" ? entry.source.url : "");
    set.unchecked.push(unchecked(name, `${name}@path:${url}`, "path", "a package from a local path, not from a Composer repository"));
    return;
  }
  if (composerScheme.key(version) !== null) {
    set.packages.push({ ecosystem: "Packagist", name, version, dev });
    return;
  }
  if (/^dev-|-dev$/i.test(version)) {
    const reference = isJsonObject(entry.source) && typeof entry.source.reference === "string" ? `#${entry.source.reference}` : "";
    set.unchecked.push(unchecked(name, `${name}@${version}${reference}`, "git", "a development branch, not a released version"));
    return;
  }
  set.unchecked.push(unchecked(name, `${name}@${version}`, "invalid_version", "the version is not a Composer version"));
}

function unchecked(name: string, spec: string, kind: UncheckedEntry["kind"], reason: string): UncheckedEntry {
  return { ecosystem: "Packagist", name, spec: spec.slice(0, MAX_SPEC), kind, reason };
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("lockfile_malformed", `composer.lock: ${problem}`);
}
