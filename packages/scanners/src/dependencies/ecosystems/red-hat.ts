import { rpmDistroEcosystem } from "./rpm-distro-ecosystem.js";

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
 * source) rpms, so an installed package is named by itself: `9/openssl-libs`.
 */
export const redHat = rpmDistroEcosystem({
  id: "Red Hat",
  purlNamespaces: ["redhat", "rhel"],
  distroPrefixes: ["rhel", "redhat", "ubi"],
  osId: "rhel",
  names: "binary",
  releaseOf: redHatRelease,
});
