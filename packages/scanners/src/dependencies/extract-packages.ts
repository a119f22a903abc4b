import type { DependenciesInput } from "./dependencies-input.js";
import { ecosystemDefinition } from "./ecosystems/registry.js";
import { lockfileFormatDefinition } from "./lockfiles/lockfile-registry.js";
import { canonicalPackageSet } from "./package-set.js";
import type { PackageRef, PackageSet } from "./package-set.js";

/** The canonical package set of a validated `dependencies` input. Throws DependencyInputError for an unusable lockfile. */
export function extractPackages(input: DependenciesInput): PackageSet {
  if ("packages" in input) return canonicalPackageSet(listedPackages(input.packages));
  return canonicalPackageSet(lockfileFormatDefinition(input.format).parse(input.lockfile));
}

/**
 * A listed OS package without its release (`openssl` instead of `12/openssl`) could match no advisory at all;
 * it is reported, not silently passed over.
 */
function listedPackages(packages: readonly PackageRef[]): PackageSet {
  const set: PackageSet = { packages: [], unchecked: [] };
  for (const pkg of packages) {
    if (ecosystemDefinition(pkg.ecosystem).releaseName === undefined || pkg.name.includes("/")) {
      set.packages.push(pkg);
      continue;
    }
    const reason = `${pkg.ecosystem} packages are named <release>/<name> (12/openssl for Debian 12, v3.19/openssl for Alpine 3.19)`;
    set.unchecked.push({ ecosystem: pkg.ecosystem, name: pkg.name, spec: `${pkg.name}@${pkg.version}`, kind: "malformed_entry", reason });
  }
  return set;
}
