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
  /**
   * The package name a purl's namespace (if any), name and qualifiers stand for; null when the purl lacks
   * what the ecosystem needs to name it (a `deb` purl without the `distro` that says its release).
   */
  nameFromPurl(namespace: string | undefined, name: string, qualifiers?: Readonly<Record<string, string>>): string | null;
  /**
   * Only for ecosystems whose OSV names carry a release (`Debian:12`, `Alpine:v3.19`): the name a package of
   * that release is matched, stored and tagged by (`12/openssl`). Each release has its own advisories and
   * fixed versions, so a release in the name keeps them apart while the id stays one ecosystem.
   */
  releaseName?(release: string, name: string): string;
  /**
   * Only for ecosystems sharing their purl type with others (`rpm`): the purl namespaces (lower case) that
   * name this one (`pkg:rpm/rocky/…`). A purl of a shared type with another namespace is not supported.
   */
  readonly purlNamespaces?: readonly string[];
  /** The version a purl's version and qualifiers stand for, when not the version as written (rpm's `epoch`). */
  versionFromPurl?(version: string, qualifiers?: Readonly<Record<string, string>>): string;
  /** Only for OS package ecosystems: which images' packages it covers (container image scans). */
  readonly image?: ImageOsRule;
}

/** How an image's os-release and package database name an OS ecosystem's release and packages. */
export interface ImageOsRule {
  /** os-release `ID`s (lower case) of the distributions whose packages the ecosystem's advisories cover. */
  readonly osIds: readonly string[];
  /** The package database such an image keeps. */
  readonly packageKind: "dpkg" | "apk" | "rpm";
  /** The release (as `releaseName` takes it) of an os-release `VERSION_ID` (`9.3` → `9`); null when it names none. */
  release(versionId: string): string | null;
  /**
   * Whether advisories name the source package an installed package was built from (Debian, Alpine, Rocky,
   * AlmaLinux) or the installed binary package itself (Red Hat).
   */
  readonly names: "source" | "binary";
}
