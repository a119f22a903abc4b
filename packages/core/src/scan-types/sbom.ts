import { type SbomInput, extractSbomPackages, sbomInputSchema } from "@secapi/scanners";
import { preparePackageRun } from "./package-run.js";
import type { ScanTypeDefinition } from "./scan-type.js";

const cycloneDx = {
  bomFormat: "CycloneDX",
  specVersion: "1.5",
  components: [
    { type: "library", name: "lodash", version: "4.17.20", purl: "pkg:npm/lodash@4.17.20" },
    { type: "library", name: "flask", version: "2.0.1", purl: "pkg:pypi/flask@2.0.1" },
  ],
};

/**
 * The components of a CycloneDX or SPDX document (an image's SBOM), matched like dependencies. `{"image", "sbom"}`
 * sent as an `image` (or `docker`) scan comes here too: the SBOM is used, nothing is pulled.
 */
export const sbom: ScanTypeDefinition<SbomInput, "packages"> = {
  name: "sbom",
  private: false,
  inputSchema: sbomInputSchema,
  canonicalize: (input) => extractSbomPackages(input.sbom),
  engine: "packages",
  prepareRun: preparePackageRun,
  docs: {
    examples: {
      sbom: {
        summary: "A CycloneDX (or SPDX) SBOM, e.g. of an image (`syft IMAGE -o cyclonedx-json`)",
        value: { image: "ghcr.io/example/web:1.4.2", sbom: cycloneDx },
      },
    },
  },
};
