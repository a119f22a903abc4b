import { secretsInputSchema, type SecretsInput } from "@secapi/scanners";
import type { z } from "zod";

/** What SecAPI needs to know about a scan type to accept, address and route it. */
export interface ScanTypeDefinition<I = unknown> {
  name: string;
  /** Results belong to the submitting user alone: keys, jobs and results are scoped by owner. */
  private: boolean;
  inputSchema: z.ZodType<I>;
  /** The form whose hash addresses the input: equal content, equal form, whatever the order given. */
  canonicalize(input: I): unknown;
}

const secrets: ScanTypeDefinition<SecretsInput> = {
  name: "secrets",
  private: true,
  inputSchema: secretsInputSchema,
  canonicalize: (input) => ({
    files: [...input.files].sort((a, b) =>
      a.path === b.path ? (a.content < b.content ? -1 : a.content > b.content ? 1 : 0) : a.path < b.path ? -1 : 1,
    ),
  }),
};

/** The scan types this build runs, by name. */
export const SCAN_TYPES: Readonly<Record<string, ScanTypeDefinition>> = {
  secrets: secrets as ScanTypeDefinition,
};

/** Other names clients may use in `/api/v1/scan/:type`. */
const ALIASES: Readonly<Record<string, string>> = {};

/** The definition for a name or alias, or undefined if this build has no such type. */
export function resolveScanType(name: string): ScanTypeDefinition | undefined {
  return SCAN_TYPES[ALIASES[name] ?? name];
}
