import { PackageURL } from "packageurl-js";
import type { Ecosystem } from "../ecosystem.js";
import type { PackageRef, UncheckedEntry } from "../package-set.js";

const PURL_ECOSYSTEMS: Readonly<Record<string, Ecosystem>> = {
  npm: "npm",
  pypi: "PyPI",
  golang: "Go",
  cargo: "crates.io",
};

const MAX_SPEC = 512;

/**
 * The package a purl names, or why it cannot be checked. npm scopes and Go module paths are the purl
 * namespace joined to the name; the version is taken as written (Go keeps its `v`).
 */
export function purlPackage(purl: string, fallbackName: string): { package: PackageRef } | { unchecked: UncheckedEntry } {
  const spec = purl.slice(0, MAX_SPEC);
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch {
    return { unchecked: { ecosystem: "unknown", name: fallbackName, spec, kind: "malformed_entry", reason: "the purl does not parse" } };
  }
  const ecosystem = PURL_ECOSYSTEMS[parsed.type];
  const name = parsed.namespace ? `${parsed.namespace}/${parsed.name}` : parsed.name;
  if (ecosystem === undefined) {
    const reason = `purl type ${parsed.type} is not supported (supported: ${Object.keys(PURL_ECOSYSTEMS).join(", ")})`;
    return { unchecked: { ecosystem: parsed.type, name, spec, kind: "unsupported_ecosystem", reason } };
  }
  if (!parsed.version) return { unchecked: { ecosystem, name, spec, kind: "no_version", reason: "the purl has no version" } };
  return { package: { ecosystem, name, version: parsed.version } };
}
