import { z } from "zod";

/**
 * An `sbom` scan request (docs/API.md "Scan types and inputs"): a CycloneDX or SPDX JSON document,
 * and optionally the image it describes (informational; nothing is pulled).
 */
export const sbomInputSchema = z.strictObject({
  sbom: z.record(z.string(), z.unknown()),
  image: z.string().trim().min(1).max(512).optional(),
});

export type SbomInput = z.infer<typeof sbomInputSchema>;
