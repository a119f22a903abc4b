import { rpmDistroEcosystem } from "./rpm-distro-ecosystem.js";

/** Rocky Linux OS packages (container images); OSV lists source packages: `9/openssl`. */
export const rockyLinux = rpmDistroEcosystem({
  id: "Rocky Linux",
  purlNamespaces: ["rocky", "rocky-linux", "rockylinux"],
  osId: "rocky",
  names: "source",
});
