import { type SbomInput, extractSbomPackages, sbomInputSchema } from "@secapi/scanners";
import { preparePackageRun } from "./package-run.js";
import type { ScanTypeDefinition } from "./scan-type.js";

/**
 * The components of a CycloneDX or SPDX document (an image's SBOM), matched like dependencies. `{"image", "sbom"}`
 * sent as an `image` (or `docker`) scan comes here too: the SBOM is used, nothing is pulled.
 */
export const sbom: ScanTypeDefinition<SbomInput> = {
  name: "sbom",
  private: false,
  inputSchema: sbomInputSchema,
  canonicalize: (input) => extractSbomPackages(input.sbom),
  prepareRun: preparePackageRun,
};
