import { type SbomInput, extractSbomPackages, sbomInputSchema } from "@secapi/scanners";
import { preparePackageRun } from "./package-run.js";
import type { ScanTypeDefinition } from "./scan-type.js";

/** The components of a CycloneDX or SPDX document (an image's SBOM), matched like dependencies. */
export const sbom: ScanTypeDefinition<SbomInput> = {
  name: "sbom",
  aliases: ["docker", "image"],
  private: false,
  inputSchema: sbomInputSchema,
  canonicalize: (input) => extractSbomPackages(input.sbom),
  prepareRun: preparePackageRun,
  missingInputHint: (raw) => {
    const input = raw as { image?: unknown; sbom?: unknown } | null;
    if (typeof input !== "object" || input === null || input.sbom !== undefined) return undefined;
    // Any other field is a mistake (`"SBOM"`, `"bom"`) that validation names better than this hint.
    if (Object.keys(input).some((key) => key !== "image")) return undefined;
    const image = typeof input.image === "string" ? input.image : "IMAGE";
    return (
      `An image scan needs the image's SBOM: SecAPI does not pull images. Produce one with ` +
      `\`syft ${image} -o cyclonedx-json > sbom.json\` (or \`trivy image --format cyclonedx ${image}\`) ` +
      `and send {"image": "${image}", "sbom": <its JSON>}.`
    );
  },
};
