import semver from "semver";
import type { PackageSet } from "../package-set.js";

const MAX_SPEC = 512;

/** Sorts one npm-style (name, version) into a package or, when the version is not a registry version, unchecked. */
export function npmEntry(name: string, version: string, into: PackageSet): void {
  if (semver.valid(version) !== null) {
    into.packages.push({ ecosystem: "npm", name, version });
  } else {
    into.unchecked.push({
      ecosystem: "npm",
      name,
      spec: `${name}@${version}`.slice(0, MAX_SPEC),
      reason: "not a registry version (git, file or URL dependency); advisories are matched by registry version",
    });
  }
}

/** Splits `name@spec` (scoped names keep their leading `@`); null when there is no separator. */
export function splitNameAtSpec(text: string): { name: string; spec: string } | null {
  const at = text.indexOf("@", 1);
  if (at <= 0) return null;
  return { name: text.slice(0, at), spec: text.slice(at + 1) };
}
