import { DependencyInputError } from "../dependency-input-error.js";
import { canonicalPackageSet } from "../package-set.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { cycloneDxPackages } from "./cyclonedx.js";
import { spdxPackages } from "./spdx.js";

/**
 * The canonical package set of a CycloneDX (1.4–1.6) or SPDX 2.3 JSON SBOM, by purl: npm, pypi,
 * golang and cargo purls are checked; other purl types and components without a purl are unchecked.
 */
export function extractSbomPackages(sbom: unknown): PackageSet {
  if (!isJsonObject(sbom)) throw new DependencyInputError("sbom_malformed", "the SBOM is not a JSON object");
  if (sbom.bomFormat === "CycloneDX") return canonicalPackageSet(cycloneDxPackages(sbom));
  if (sbom.spdxVersion !== undefined) return canonicalPackageSet(spdxPackages(sbom));
  throw new DependencyInputError(
    "sbom_unsupported",
    'not a CycloneDX or SPDX JSON document (expected "bomFormat": "CycloneDX" or an "spdxVersion")',
  );
}
