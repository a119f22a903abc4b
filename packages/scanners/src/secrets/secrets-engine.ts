import type { ScanEngine } from "../engines/scan-engine.js";
import { invalidInput } from "../scan-outcome.js";
import { SEVERITIES } from "../scan-result.js";
import { scanSecrets } from "./scan-secrets.js";
import { secretsInputSchema } from "./secrets-input.js";

/** A secrets scan: the canonical input (files), nothing loaded beforehand. */
export interface SecretsTask {
  engine: "secrets";
  input: unknown;
}

/** Finds leaked credentials in files (`scanSecrets`); its findings are `SecretFinding`s. */
export const secretsEngine: ScanEngine<SecretsTask> = {
  name: "secrets",
  run(task) {
    const parsed = secretsInputSchema.safeParse(task.input);
    // Paths and messages only: zod does not echo values, and the values may be secrets.
    if (!parsed.success)
      return invalidInput(`invalid secrets input: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    return { status: "completed", output: { result: scanSecrets(parsed.data), tags: [] } };
  },
  result: {
    finding: "SecretFinding",
    components: {
      SecretFinding: {
        type: "object",
        description: "A leaked credential. One secret matched by several rules is one finding (the most specific rule).",
        required: ["rule_id", "description", "path", "line", "column", "severity", "redacted", "fingerprint"],
        properties: {
          rule_id: { type: "string", examples: ["aws-access-key-id"] },
          description: { type: "string" },
          path: { type: "string", description: "The file's path as submitted" },
          line: { type: "integer", minimum: 1 },
          column: { type: "integer", minimum: 1, description: "1-based, in UTF-16 code units of the line" },
          severity: { enum: [...SEVERITIES] },
          redacted: { type: "string", description: "The match with the secret masked: never the secret itself" },
          fingerprint: {
            type: "string",
            description: "The same for the same secret found by the same rule in the same file, scan after scan",
          },
        },
      },
    },
  },
};
