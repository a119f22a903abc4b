import type { VersionScheme } from "../version-schemes/version-scheme.js";

/**
 * Everything the dependency scanner knows about one ecosystem. The layers (input schemas, OSV import,
 * SBOM purls, matching, cache tags) look an ecosystem up in the registry (`ecosystemDefinition`) instead
 * of testing its name, so a new ecosystem is one definition and one registry entry.
 *
 * @example
 * ecosystemDefinition("PyPI").normalizeName("Jinja2"); // "jinja2"
 */
export interface EcosystemDefinition<Id extends string = string> {
  /** The name inputs, results, stored advisories and cache tags (`pkg:<id>/<name>`) use. */
  readonly id: Id;
  /** `affected[].package.ecosystem` in OSV records of its packages, spelled exactly. */
  readonly osvName: string;
  /** The purl type of its packages (https://github.com/package-url/purl-spec), e.g. `cargo`. */
  readonly purlType: string;
  /** How its `ECOSYSTEM` ranges and installed versions order (`SEMVER` ranges always order by semver). */
  readonly versionScheme: VersionScheme;
  /** The name a package is matched and tagged by, whatever spelling the input used. */
  normalizeName(name: string): string;
  /** The package name a purl's namespace (if any) and name stand for. */
  nameFromPurl(namespace: string | undefined, name: string): string;
}
