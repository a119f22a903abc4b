import { type SecretsInput, secretsInputSchema } from "@secapi/scanners";
import type { ScanTypeDefinition } from "./scan-type.js";

/** Leaked credentials in files. Private: the input may hold secrets, so it is scoped to its owner and deleted once scanned. */
export const secrets: ScanTypeDefinition<SecretsInput, "secrets"> = {
  name: "secrets",
  private: true,
  inputSchema: secretsInputSchema,
  canonicalize: (input) => ({
    files: [...input.files].sort((a, b) =>
      a.path === b.path ? (a.content < b.content ? -1 : a.content > b.content ? 1 : 0) : a.path < b.path ? -1 : 1,
    ),
  }),
  engine: "secrets",
  prepareRun: async (_db, canonicalInput) => ({ task: { engine: "secrets", input: canonicalInput }, advisoryRevision: null }),
  docs: {
    examples: {
      secrets: {
        summary: "Files to search for leaked credentials",
        value: { files: [{ path: ".env", content: "AWS_ACCESS_KEY_ID=AKIAQ4ZTN7VWXB5RJ2LM\nTOKEN=${TOKEN}\n" }] },
      },
    },
  },
};
