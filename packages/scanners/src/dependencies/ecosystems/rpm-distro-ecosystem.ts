import { rpmScheme } from "../version-schemes/rpm.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { releaseSlashName } from "./distro-release.js";
import { nameAsWritten } from "./package-name-rules.js";
import { majorVersion, rpmDistroMajor, rpmPurlSourceName, rpmPurlVersion } from "./rpm-distro.js";

export interface RpmDistro<Id extends string> {
  /** The OSV ecosystem, also SecAPI's id: `Rocky Linux`. */
  id: Id;
  /** The purl namespaces naming it (`pkg:rpm/rocky/…`); also the `distro` qualifier prefixes unless `distroPrefixes`. */
  purlNamespaces: readonly string[];
  /** The `distro` qualifier prefixes (`rocky-9.3`) when they differ from the namespaces. */
  distroPrefixes?: readonly string[];
  /** The os-release `ID` of its images. */
  osId: string;
  /** Whether its OSV records name source rpms (`openssl`) or binary ones (`openssl-libs`). */
  names: "source" | "binary";
  /** The release an OSV ecosystem suffix stands for, when it is more than the major version (Red Hat's streams). */
  releaseOf?: (osvRelease: string) => string;
}

/**
 * An rpm-based OS ecosystem. OSV names one ecosystem per major release (`Rocky Linux:9`), so a package is named
 * with its release (`9/openssl`); rpm version order; the epoch of a purl is its qualifier.
 */
export function rpmDistroEcosystem<Id extends string>(distro: RpmDistro<Id>): EcosystemDefinition<Id> {
  const { id, purlNamespaces, distroPrefixes = purlNamespaces, osId, names, releaseOf } = distro;
  return {
    id,
    osvName: id,
    purlType: "rpm",
    purlNamespaces,
    versionScheme: rpmScheme,
    normalizeName: nameAsWritten,
    nameFromPurl: (_namespace, name, qualifiers) => {
      const release = rpmDistroMajor(qualifiers?.["distro"], distroPrefixes);
      if (release === null) return null;
      return releaseSlashName(release, names === "source" ? rpmPurlSourceName(name, qualifiers) : name);
    },
    versionFromPurl: rpmPurlVersion,
    releaseName: releaseOf ? (release, name) => releaseSlashName(releaseOf(release), name) : releaseSlashName,
    image: { osIds: [osId], packageKind: "rpm", release: majorVersion, names },
  };
}
