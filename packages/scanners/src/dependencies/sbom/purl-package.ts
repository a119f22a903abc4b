import { PackageURL } from "packageurl-js";
import { namespaceSlashName } from "../ecosystems/package-name-rules.js";
import { ECOSYSTEM_DEFINITIONS, ecosystemForPurl, purlNamespacesOf } from "../ecosystems/registry.js";
import type { PackageRef, UncheckedEntry } from "../package-set.js";

const SUPPORTED_PURL_TYPES = [...new Set(ECOSYSTEM_DEFINITIONS.map((definition) => definition.purlType))].join(", ");

const MAX_SPEC = 512;

/**
 * The package a purl names, or why it cannot be checked. The ecosystem's definition turns the purl's
 * namespace and name into its package name; the version is taken as written (Go keeps its `v`).
 */
export function purlPackage(purl: string, fallbackName: string): { package: PackageRef } | { unchecked: UncheckedEntry } {
  const spec = purl.slice(0, MAX_SPEC);
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(purl);
  } catch {
    return { unchecked: { ecosystem: "unknown", name: fallbackName, spec, kind: "malformed_entry", reason: "the purl does not parse" } };
  }
  const definition = ecosystemForPurl(parsed.type, parsed.namespace ?? undefined);
  if (definition === undefined) {
    // No definition says how this type names packages; the purl's own path form is the best display.
    const name = namespaceSlashName(parsed.namespace, parsed.name);
    const namespaces = purlNamespacesOf(parsed.type);
    const reason =
      namespaces.length === 0
        ? `purl type ${parsed.type} is not supported (supported: ${SUPPORTED_PURL_TYPES})`
        : `${parsed.type} purls of namespace ${parsed.namespace ?? "(none)"} are not supported (supported: ${namespaces.join(", ")})`;
    return { unchecked: { ecosystem: parsed.type, name, spec, kind: "unsupported_ecosystem", reason } };
  }
  const ecosystem = definition.id;
  const name = definition.nameFromPurl(parsed.namespace, parsed.name, parsed.qualifiers ?? undefined);
  if (name === null) {
    const written = namespaceSlashName(parsed.namespace, parsed.name);
    const reason = `a ${parsed.type} purl needs the distro qualifier naming its release (distro=debian-12, distro=alpine-3.19, distro=rocky-9.3)`;
    return { unchecked: { ecosystem, name: written, spec, kind: "malformed_entry", reason } };
  }
  if (!parsed.version) return { unchecked: { ecosystem, name, spec, kind: "no_version", reason: "the purl has no version" } };
  const version = definition.versionFromPurl?.(parsed.version, parsed.qualifiers ?? undefined) ?? parsed.version;
  return { package: { ecosystem, name, version } };
}
