import { DependencyInputError } from "../dependency-input-error.js";
import { excerpt } from "../excerpt.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { addComponent } from "./add-component.js";

const SUPPORTED_VERSIONS = ["SPDX-2.3"];

/**
 * Packages of an SPDX 2.3 JSON document, by their `purl` external reference. The packages the document
 * DESCRIBES are its subject (the project or image itself), not its dependencies, and are left out,
 * unless it describes every package it lists (then they are all it has to offer).
 */
export function spdxPackages(document: Record<string, unknown>): PackageSet {
  const version = document.spdxVersion;
  if (typeof version !== "string" || !SUPPORTED_VERSIONS.includes(version)) {
    throw new DependencyInputError("sbom_unsupported", `spdxVersion ${excerpt(String(version))} is not supported (supported: SPDX-2.3)`);
  }
  const packages = document.packages ?? [];
  if (!Array.isArray(packages)) throw malformed("packages is not an array");
  const objects = packages.map((pkg: unknown, i) => {
    if (!isJsonObject(pkg)) throw malformed(`packages[${i}] is not an object`);
    return pkg;
  });
  const described = describedIds(document);
  const isSubject = (pkg: Record<string, unknown>) => typeof pkg.SPDXID === "string" && described.has(pkg.SPDXID);
  const skipSubjects = !objects.every(isSubject);
  const set: PackageSet = { packages: [], unchecked: [] };
  objects.forEach((pkg, i) => {
    if (!(skipSubjects && isSubject(pkg))) addComponent(set, purlOf(pkg.externalRefs, i), pkg.name, pkg.versionInfo);
  });
  return set;
}

function purlOf(externalRefs: unknown, index: number): string | undefined {
  if (externalRefs === undefined) return undefined;
  if (!Array.isArray(externalRefs)) throw malformed(`packages[${index}].externalRefs is not an array`);
  // SPDX 2.3 spells the category PACKAGE-MANAGER; 2.2 tools wrote PACKAGE_MANAGER. The type decides.
  for (const ref of externalRefs) {
    if (isJsonObject(ref) && ref.referenceType === "purl" && typeof ref.referenceLocator === "string") return ref.referenceLocator;
  }
  return undefined;
}

function describedIds(document: Record<string, unknown>): Set<string> {
  const ids = new Set<string>();
  if (Array.isArray(document.documentDescribes)) {
    for (const id of document.documentDescribes) if (typeof id === "string") ids.add(id);
  }
  if (Array.isArray(document.relationships)) {
    for (const r of document.relationships) {
      if (!isJsonObject(r) || r.spdxElementId !== "SPDXRef-DOCUMENT") continue;
      if (r.relationshipType === "DESCRIBES" && typeof r.relatedSpdxElement === "string") ids.add(r.relatedSpdxElement);
    }
  }
  return ids;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("sbom_malformed", `SPDX: ${problem}`);
}
