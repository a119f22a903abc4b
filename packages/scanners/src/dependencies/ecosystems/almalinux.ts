import { rpmDistroEcosystem } from "./rpm-distro-ecosystem.js";

/** AlmaLinux OS packages (container images); OSV lists source packages: `9/openssl`. */
export const almaLinux = rpmDistroEcosystem({ id: "AlmaLinux", purlNamespaces: ["almalinux", "alma"], osId: "almalinux", names: "source" });
