import { DependencyInputError } from "../dependency-input-error.js";
import { excerpt } from "../excerpt.js";
import type { PackageSet } from "../package-set.js";
import { isJsonObject } from "../parse-json-text.js";
import { addComponent } from "./add-component.js";

const SUPPORTED_SPEC_VERSIONS = ["1.4", "1.5", "1.6"];

/**
 * Components of a CycloneDX JSON BOM (1.4 to 1.6), nested components included. `metadata.component`
 * is what the BOM describes (the application or image itself), not one of its dependencies.
 */
export function cycloneDxPackages(bom: Record<string, unknown>): PackageSet {
  const specVersion = bom.specVersion;
  if (typeof specVersion !== "string" || !SUPPORTED_SPEC_VERSIONS.includes(specVersion)) {
    throw new DependencyInputError(
      "sbom_unsupported",
      `CycloneDX specVersion ${excerpt(String(specVersion))} is not supported (supported: ${SUPPORTED_SPEC_VERSIONS.join(", ")})`,
    );
  }
  const set: PackageSet = { packages: [], unchecked: [] };
  // Iterative: component nesting depth is up to the input.
  const pending: { where: string; components: unknown }[] = [{ where: "components", components: bom.components ?? [] }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (!Array.isArray(next.components)) throw malformed(`${next.where} is not an array`);
    next.components.forEach((component: unknown, i) => {
      const where = `${next.where}[${i}]`;
      if (!isJsonObject(component)) throw malformed(`${where} is not an object`);
      addComponent(set, component.purl, component.name, component.version);
      if (component.components !== undefined) pending.push({ where: `${where}.components`, components: component.components });
    });
  }
  return set;
}

function malformed(problem: string): DependencyInputError {
  return new DependencyInputError("sbom_malformed", `CycloneDX: ${problem}`);
}
