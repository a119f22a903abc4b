import type { PackageSet } from "../package-set.js";
import { purlPackage } from "./purl-package.js";

/** Adds one SBOM component to `set`: by its purl, or as unchecked when it has none. */
export function addComponent(set: PackageSet, purl: unknown, name: unknown, version: unknown): void {
  const displayName = typeof name === "string" && name !== "" ? name.slice(0, 512) : "unknown";
  if (typeof purl !== "string" || purl === "") {
    const spec = typeof version === "string" && version !== "" ? `${displayName}@${version}`.slice(0, 512) : displayName;
    set.unchecked.push({
      ecosystem: "unknown",
      name: displayName,
      spec,
      kind: "no_purl",
      reason: "no purl; components are matched by purl",
    });
    return;
  }
  const found = purlPackage(purl, displayName);
  if ("package" in found) set.packages.push(found.package);
  else set.unchecked.push(found.unchecked);
}
