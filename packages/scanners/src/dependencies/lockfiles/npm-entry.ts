import semver from "semver";
import type { PackageSet, UncheckedEntry } from "../package-set.js";
import type { UncheckedKind } from "../unchecked-kind.js";
import type { Placement } from "./dependency-graph.js";
import type { NonRegistrySource } from "./npm-source.js";
import { nonRegistrySource, withoutFragment } from "./npm-source.js";

const MAX_SPEC = 512;

/**
 * Sorts one npm-family lockfile entry into a checked package or an unchecked entry. `sources` are what the
 * lockfile says it was installed from (`resolved`, a yarn key's range), read before `version`, which older
 * formats also use for a source (package-lock v1 `"version": "file:…"`).
 */
export function addNpmEntry(
  into: PackageSet,
  name: string,
  version: string | undefined,
  sources: readonly (string | undefined)[],
  place: Partial<Placement> = {},
): void {
  for (const where of [...sources, version]) {
    const source = where === undefined ? null : nonRegistrySource(where, name);
    if (where !== undefined && source !== null) {
      addNonRegistry(into, name, where, source);
      return;
    }
  }
  if (version === undefined || version.trim() === "") {
    into.unchecked.push(npmUnchecked(name, name, "no_version", "the lockfile gives no version for it"));
  } else if (semver.valid(version) !== null) {
    into.packages.push({ ecosystem: "npm", name, version, ...place });
  } else if (semver.validRange(version) !== null) {
    into.unchecked.push(npmUnchecked(name, `${name}@${version}`, "unpinned", "a range, not one installed version"));
  } else {
    into.unchecked.push(npmUnchecked(name, `${name}@${version}`, "invalid_version", "the version is not a SemVer version"));
  }
}

/** Records `name` as installed from `where`, a non-registry source. */
export function addNonRegistry(into: PackageSet, name: string, where: string, source: NonRegistrySource): void {
  // A git source keeps its fragment (the commit); elsewhere it is a checksum.
  const spec = `${name}@${source.kind === "git" ? where : withoutFragment(where)}`;
  into.unchecked.push(npmUnchecked(name, spec, source.kind, source.reason));
}

/** An unchecked npm entry, its spec capped in length. */
export function npmUnchecked(name: string, spec: string, kind: UncheckedKind, reason: string): UncheckedEntry {
  return { ecosystem: "npm", name: name.slice(0, MAX_SPEC), spec: spec.slice(0, MAX_SPEC), kind, reason };
}

/** The first of `fields` that `entry` has with a value other than a string (a malformed entry), if any. */
export function nonStringField(entry: Record<string, unknown>, fields: readonly string[]): string | undefined {
  return fields.find((field) => entry[field] !== undefined && typeof entry[field] !== "string");
}

/** Splits `name@spec` (scoped names keep their leading `@`); null when there is no separator. */
export function splitNameAtSpec(text: string): { name: string; spec: string } | null {
  const at = text.indexOf("@", 1);
  if (at <= 0) return null;
  return { name: text.slice(0, at), spec: text.slice(at + 1) };
}

/** The real package of an npm alias spec (`npm:string-width@4.2.3` → string-width, 4.2.3); null for other specs. */
export function aliasTarget(spec: string): { name: string; spec: string } | null {
  return spec.startsWith("npm:") ? splitNameAtSpec(spec.slice(4)) : null;
}
