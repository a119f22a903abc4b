import { DependencyInputError } from "../dependency-input-error.js";
import type { PackageRef, PackageSet, UncheckedEntry } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import type { UncheckedKind } from "../unchecked-kind.js";
import { pubSemverScheme } from "../version-schemes/pub-semver.js";
import { parseYamlText } from "./parse-yaml-text.js";

// What pub writes in `dependency` (https://dart.dev/tools/pub/glossary, pub's lockfile.dart).
const DEPENDENCY_KINDS: Record<string, Pick<PackageRef, "direct" | "dev">> = {
  "direct main": { direct: true },
  "direct dev": { direct: true, dev: true },
  "direct overridden": { direct: true },
  transitive: { direct: false },
};
const NON_REGISTRY_SOURCES: Record<string, { kind: UncheckedKind; reason: string }> = {
  git: { kind: "git", reason: "installed from a git repository, not from the registry; advisories are matched by registry version" },
  path: { kind: "path", reason: "installed from a local directory, not from the registry" },
  sdk: { kind: "sdk", reason: "ships with the Flutter or Dart SDK and is versioned with it, not a registry release" },
};
const MAX_SPEC = 512;

/**
 * Packages in a pubspec.lock (Dart and Flutter). `hosted` packages are checked, from pub.dev or any
 * other pub server (mirrors and private servers count, as for npm); `git`, `path` and `sdk` packages are
 * unchecked. `dependency` says direct or transitive and dev-only (`direct dev`); the file has no graph,
 * so no paths.
 */
export function parsePubspecLock(text: string): PackageSet {
  const lock = parseYamlText(text, "pubspec.lock");
  if (!isJsonObject(lock) || !("packages" in lock)) throw new DependencyInputError("lockfile_malformed", "pubspec.lock: no `packages` map");
  // `pub get` on a project without dependencies writes `packages: {}`; an empty YAML value is null.
  if (lock.packages === null) return { packages: [], unchecked: [] };
  if (!isJsonObject(lock.packages)) throw new DependencyInputError("lockfile_malformed", "pubspec.lock: `packages` is not a map");
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const [name, entry] of Object.entries(lock.packages)) addEntry(name, entry, set);
  return set;
}

function addEntry(name: string, entry: unknown, set: PackageSet): void {
  if (!isJsonObject(entry)) {
    set.unchecked.push(pubUnchecked(name, name, "malformed_entry", "the pubspec.lock entry is not a map"));
    return;
  }
  const { source, version, dependency } = entry;
  const spec = `${name}@${typeof version === "string" ? version : ""}`;
  const nonRegistry = typeof source === "string" ? NON_REGISTRY_SOURCES[source] : undefined;
  if (nonRegistry !== undefined) {
    set.unchecked.push(pubUnchecked(name, `${name}@${String(source)}:${where(entry.description)}`, nonRegistry.kind, nonRegistry.reason));
  } else if (source !== "hosted") {
    set.unchecked.push(pubUnchecked(name, spec, "malformed_entry", `the source ${JSON.stringify(source ?? null)} is not one pub writes`));
  } else if (typeof version !== "string" || version === "") {
    set.unchecked.push(pubUnchecked(name, name, "no_version", "the lockfile gives no version for it"));
  } else if (pubSemverScheme.key(version) === null) {
    set.unchecked.push(pubUnchecked(name, spec, "invalid_version", "the version is not a pub (Dart SemVer) version"));
  } else {
    set.packages.push({ ecosystem: "Pub", name, version, ...(typeof dependency === "string" ? DEPENDENCY_KINDS[dependency] : undefined) });
  }
}

/** Where a git or path package comes from: `url#ref` for git, the path for path; the SDK's name for sdk. */
function where(description: unknown): string {
  if (typeof description === "string") return description;
  if (!isJsonObject(description)) return "";
  const text = (key: string) => (typeof description[key] === "string" ? description[key] : undefined);
  const url = text("url");
  const ref = text("resolved-ref") ?? text("ref");
  if (url !== undefined) return ref === undefined ? url : `${url}#${ref}`;
  return text("path") ?? "";
}

function pubUnchecked(name: string, spec: string, kind: UncheckedKind, reason: string): UncheckedEntry {
  return { ecosystem: "Pub", name: name.slice(0, MAX_SPEC), spec: spec.slice(0, MAX_SPEC), kind, reason };
}
