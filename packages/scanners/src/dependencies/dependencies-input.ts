import { z } from "zod";
import { ECOSYSTEMS } from "./ecosystems/registry.js";
import { LOCKFILE_FORMATS } from "./lockfiles/lockfile-registry.js";

/**
 * The closed sets of an input that name what SecAPI reads (ecosystems, lockfile formats), with the error code a
 * value outside one gets. Such a value is well-formed but unusable, so the API answers 422 with this code and
 * the supported values, where a malformed request gets 400 `validation_failed`. A registry rather than a
 * custom check, so that the schema, its `issues` and its JSON Schema (the OpenAPI enums) stay zod's own.
 */
export const unsupportedValueCodes = z.registry<{ code: "unsupported_ecosystem" | "unsupported_format" }>();

const ecosystemSchema = z.enum(ECOSYSTEMS).register(unsupportedValueCodes, { code: "unsupported_ecosystem" });
const formatSchema = z.enum(LOCKFILE_FORMATS).register(unsupportedValueCodes, { code: "unsupported_format" });

const packageRefSchema = z.strictObject({
  ecosystem: ecosystemSchema,
  name: z.string().trim().min(1).max(512),
  version: z.string().trim().min(1).max(256),
});

/**
 * A `dependencies` scan request (docs/API.md "Scan types and inputs"): either an explicit package list
 * or a lockfile's text with its format. The body size limit is enforced by the API.
 */
export const dependenciesInputSchema = z.union([
  z.strictObject({ packages: z.array(packageRefSchema).min(1).max(100_000) }),
  z.strictObject({ lockfile: z.string().min(1), format: formatSchema }),
]);

export type DependenciesInput = z.infer<typeof dependenciesInputSchema>;
