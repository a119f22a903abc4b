import { rpmScheme } from "../version-schemes/rpm.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { releaseSlashName } from "./distro-release.js";
import { nameAsWritten } from "./package-name-rules.js";
import { majorVersion, rpmDistroMajor, rpmPurlSourceName, rpmPurlVersion } from "./rpm-distro.js";

/**
 * Rocky Linux OS packages (container images). OSV names one ecosystem per major release (`Rocky Linux:9`) and
 * lists source packages, so a package is named `9/openssl` by its source rpm. rpm version order.
 */
export const rockyLinux: EcosystemDefinition<"Rocky Linux"> = {
  id: "Rocky Linux",
  osvName: "Rocky Linux",
  purlType: "rpm",
  purlNamespaces: ["rocky", "rocky-linux", "rockylinux"],
  versionScheme: rpmScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: (_namespace, name, qualifiers) => {
    const release = rpmDistroMajor(qualifiers?.["distro"], ["rocky", "rocky-linux", "rockylinux"]);
    return release === null ? null : releaseSlashName(release, rpmPurlSourceName(name, qualifiers));
  },
  versionFromPurl: rpmPurlVersion,
  releaseName: releaseSlashName,
  image: { osIds: ["rocky"], packageKind: "rpm", release: majorVersion, names: "source" },
};
