import type { DependenciesInput } from "./dependencies-input.js";
import { lockfileFormatDefinition } from "./lockfiles/lockfile-registry.js";
import { canonicalPackageSet } from "./package-set.js";
import type { PackageSet } from "./package-set.js";

/** The canonical package set of a validated `dependencies` input. Throws DependencyInputError for an unusable lockfile. */
export function extractPackages(input: DependenciesInput): PackageSet {
  if ("packages" in input) return canonicalPackageSet({ packages: input.packages, unchecked: [] });
  return canonicalPackageSet(lockfileFormatDefinition(input.format).parse(input.lockfile));
}
