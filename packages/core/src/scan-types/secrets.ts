import { type SecretsInput, secretsInputSchema } from "@secapi/scanners";
import type { ScanTypeDefinition } from "./scan-type.js";

/** Leaked credentials in files. Private: the input may hold secrets, so it is scoped to its owner and deleted once scanned. */
export const secrets: ScanTypeDefinition<SecretsInput> = {
  name: "secrets",
  private: true,
  inputSchema: secretsInputSchema,
  canonicalize: (input) => ({
    files: [...input.files].sort((a, b) =>
      a.path === b.path ? (a.content < b.content ? -1 : a.content > b.content ? 1 : 0) : a.path < b.path ? -1 : 1,
    ),
  }),
  prepareRun: async (_db, canonicalInput) => ({ task: { engine: "secrets", input: canonicalInput }, advisoryRevision: null }),
};
