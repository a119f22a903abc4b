import { z } from "zod";
import { ECOSYSTEMS } from "./ecosystems/registry.js";
import { LOCKFILE_FORMATS } from "./lockfiles/lockfile-registry.js";

const packageRefSchema = z.strictObject({
  ecosystem: z.enum(ECOSYSTEMS),
  name: z.string().trim().min(1).max(512),
  version: z.string().trim().min(1).max(256),
});

/**
 * A `dependencies` scan request (docs/API.md "Scan types and inputs"): either an explicit package list
 * or a lockfile's text with its format. The body size limit is enforced by the API.
 */
export const dependenciesInputSchema = z.union([
  z.strictObject({ packages: z.array(packageRefSchema).min(1).max(100_000) }),
  z.strictObject({ lockfile: z.string().min(1), format: z.enum(LOCKFILE_FORMATS) }),
]);

export type DependenciesInput = z.infer<typeof dependenciesInputSchema>;
