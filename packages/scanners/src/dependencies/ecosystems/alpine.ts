import { apkScheme } from "../version-schemes/apk.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { releaseSlashName, sourcePackageName } from "./distro-release.js";
import { nameAsWritten } from "./package-name-rules.js";

/** The OSV release (`v3.19`) of a purl's `distro`: `alpine-3.19`, `alpine-3.19.1`, `3.19`. */
function alpineRelease(distro: string | undefined): string | null {
  const match = /^(?:alpine-)?v?(\d+)\.(\d+)(?:\.\d+)*$/i.exec(distro?.trim() ?? "");
  return match === null ? null : `v${match[1]}.${match[2]}`;
}

/**
 * Alpine OS packages (container images, by SBOM). OSV names one ecosystem per release (`Alpine:v3.19`), so a
 * package is named with its release: `v3.19/openssl`. apk version order.
 */
export const alpine: EcosystemDefinition<"Alpine"> = {
  id: "Alpine",
  osvName: "Alpine",
  purlType: "apk",
  versionScheme: apkScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: (_namespace, name, qualifiers) => {
    const release = alpineRelease(qualifiers?.["distro"]);
    return release === null ? null : releaseSlashName(release, sourcePackageName(name, qualifiers));
  },
  releaseName: releaseSlashName,
  image: {
    osIds: ["alpine"],
    packageKind: "apk",
    release: (versionId) => {
      const match = /^(\d+)\.(\d+)/.exec(versionId);
      return match === null ? null : `v${match[1]}.${match[2]}`;
    },
    names: "source",
  },
};
