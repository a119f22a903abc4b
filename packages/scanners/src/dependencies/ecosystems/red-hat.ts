import { rpmScheme } from "../version-schemes/rpm.js";
import type { EcosystemDefinition } from "./ecosystem-definition.js";
import { releaseSlashName } from "./distro-release.js";
import { nameAsWritten } from "./package-name-rules.js";
import { majorVersion, rpmDistroMajor, rpmPurlVersion } from "./rpm-distro.js";

/**
 * The release a Red Hat product stream is matched by. OSV scopes Red Hat packages by CPE without its
 * `cpe:/[oa]:redhat:` prefix (`Red Hat:enterprise_linux:9::appstream`); every repository of the main RHEL stream
 * (`enterprise_linux:9::baseos`, `::appstream`, `::crb`) is one release, `9`, which a RHEL 9 image holds. Other
 * streams (`rhel_eus:9.2::baseos`, layered products) keep their CPE: their fixes are not the main stream's, and no
 * image is named by them.
 */
function redHatRelease(stream: string): string {
  return /^enterprise_linux:(\d+)(?::|$)/.exec(stream)?.[1] ?? stream;
}

/**
 * Red Hat Enterprise Linux OS packages (container images: RHEL and UBI). Red Hat's OSV records name binary (and
 * source) rpms, so an installed package is named by itself: `9/openssl-libs`. rpm version order.
 */
export const redHat: EcosystemDefinition<"Red Hat"> = {
  id: "Red Hat",
  osvName: "Red Hat",
  purlType: "rpm",
  purlNamespaces: ["redhat", "rhel"],
  versionScheme: rpmScheme,
  normalizeName: nameAsWritten,
  nameFromPurl: (_namespace, name, qualifiers) => {
    const release = rpmDistroMajor(qualifiers?.["distro"], ["rhel", "redhat", "ubi"]);
    return release === null ? null : releaseSlashName(release, name);
  },
  versionFromPurl: rpmPurlVersion,
  releaseName: (stream, name) => releaseSlashName(redHatRelease(stream), name),
  image: { osIds: ["rhel"], packageKind: "rpm", release: majorVersion, names: "binary" },
};
