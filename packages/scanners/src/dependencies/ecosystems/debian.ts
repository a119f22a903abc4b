import { dpkgScheme } from "../version-schemes/dpkg.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { releaseSlashName, sourcePackageName } from "./distro-release.js";

// Code names SBOM tools write in `distro` instead of the number OSV uses (https://wiki.debian.org/DebianReleases).
const CODENAMES: Record<string, string> = { stretch: "9", buster: "10", bullseye: "11", bookworm: "12", trixie: "13", forky: "14" };

/** The OSV release (`12`) of a purl's `distro`: `debian-12`, `debian-12.4`, `bookworm`, `debian-bookworm`. */
function debianRelease(distro: string | undefined): string | null {
  const value =
    distro
      ?.trim()
      .toLowerCase()
      .replace(/^debian-/, "") ?? "";
  return /^(\d+)(?:\.\d+)*$/.exec(value)?.[1] ?? CODENAMES[value] ?? null;
}

/** Debian package names are lower case by policy; only the trim is needed, the release prefix is digits. */
function debianName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * Debian OS packages (container images, by SBOM). OSV names one ecosystem per release (`Debian:12`), so a
 * package is named with its release: `12/openssl`. dpkg version order.
 */
export const debian: EcosystemDefinition<"Debian"> = {
  id: "Debian",
  osvName: "Debian",
  purlType: "deb",
  versionScheme: dpkgScheme,
  normalizeName: debianName,
  nameFromPurl: (_namespace, name, qualifiers) => {
    const release = debianRelease(qualifiers?.["distro"]);
    return release === null ? null : releaseSlashName(release, sourcePackageName(name, qualifiers));
  },
  releaseName: releaseSlashName,
  image: { osIds: ["debian"], packageKind: "dpkg", release: (versionId) => /^(\d+)/.exec(versionId)?.[1] ?? null, names: "source" },
};
