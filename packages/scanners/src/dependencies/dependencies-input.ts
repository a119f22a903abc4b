import { z } from "zod";
import { ECOSYSTEMS } from "./ecosystem.js";

/** The lockfile formats a `dependencies` scan accepts, by their usual file names. */
export const LOCKFILE_FORMATS = ["package-lock.json", "pnpm-lock.yaml", "yarn.lock", "requirements.txt"] as const;

export type LockfileFormat = (typeof LOCKFILE_FORMATS)[number];

const packageRefSchema = z.strictObject({
  ecosystem: z.enum(ECOSYSTEMS),
  name: z.string().trim().min(1).max(512),
  version: z.string().trim().min(1).max(256),
});

/**
 * A `dependencies` scan request (DESIGN.md "Scan inputs and results"): either an explicit package list
 * or a lockfile's text with its format. The body size limit is enforced by the API.
 */
export const dependenciesInputSchema = z.union([
  z.strictObject({ packages: z.array(packageRefSchema).min(1).max(100_000) }),
  z.strictObject({ lockfile: z.string().min(1), format: z.enum(LOCKFILE_FORMATS) }),
]);

export type DependenciesInput = z.infer<typeof dependenciesInputSchema>;
