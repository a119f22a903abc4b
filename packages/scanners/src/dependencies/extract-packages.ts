import type { DependenciesInput, LockfileFormat } from "./dependencies-input.js";
import { parsePackageLock } from "./lockfiles/package-lock.js";
import { parsePnpmLock } from "./lockfiles/pnpm-lock.js";
import { parseRequirementsTxt } from "./lockfiles/requirements-txt.js";
import { parseYarnLock } from "./lockfiles/yarn-lock.js";
import { canonicalPackageSet } from "./package-set.js";
import type { PackageSet } from "./package-set.js";

const LOCKFILE_PARSERS: Record<LockfileFormat, (text: string) => PackageSet> = {
  "package-lock.json": parsePackageLock,
  "pnpm-lock.yaml": parsePnpmLock,
  "yarn.lock": parseYarnLock,
  "requirements.txt": parseRequirementsTxt,
};

/** The canonical package set of a validated `dependencies` input. Throws DependencyInputError for an unusable lockfile. */
export function extractPackages(input: DependenciesInput): PackageSet {
  if ("packages" in input) return canonicalPackageSet({ packages: input.packages, unchecked: [] });
  return canonicalPackageSet(LOCKFILE_PARSERS[input.format](input.lockfile));
}
