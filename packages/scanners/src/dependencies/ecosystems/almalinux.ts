import { rpmScheme } from "../version-schemes/rpm.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { releaseSlashName } from "./distro-release.js";
import { nameAsWritten } from "./package-name-rules.js";
import { majorVersion, rpmDistroMajor, rpmPurlSourceName, rpmPurlVersion } from "./rpm-distro.js";

/**
 * AlmaLinux OS packages (container images). OSV names one ecosystem per major release (`AlmaLinux:9`) and lists
 * source packages, so a package is named `9/openssl` by its source rpm. rpm version order.
 */
export const almaLinux: EcosystemDefinition<"AlmaLinux"> = {
  id: "AlmaLinux",
  osvName: "AlmaLinux",
  purlType: "rpm",
  purlNamespaces: ["almalinux", "alma"],
  versionScheme: rpmScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: (_namespace, name, qualifiers) => {
    const release = rpmDistroMajor(qualifiers?.["distro"], ["almalinux", "alma"]);
    return release === null ? null : releaseSlashName(release, rpmPurlSourceName(name, qualifiers));
  },
  versionFromPurl: rpmPurlVersion,
  releaseName: releaseSlashName,
  image: { osIds: ["almalinux"], packageKind: "rpm", release: majorVersion, names: "source" },
};
