import type { ScanResult } from "./scan-result.js";
import { scanSecrets } from "./secrets/scan-secrets.js";
import { secretsInputSchema } from "./secrets/secrets-input.js";

/** What a scan produced: the result document and the cache tags of what it covers. */
export interface ScanOutput {
  result: ScanResult;
  tags: string[];
}

/** Expected failures are values: `invalid_input` is final (no retry), anything thrown is transient. */
export type ScanOutcome = { ok: true; output: ScanOutput } | { ok: false; code: "invalid_input" | "unknown_scan_type"; message: string };

/** Runs one scan synchronously. CPU-bound: call it through ScanPool, not on a server's event loop. */
export function runScan(scanType: string, input: unknown): ScanOutcome {
  switch (scanType) {
    case "secrets": {
      const parsed = secretsInputSchema.safeParse(input);
      if (!parsed.success) {
        // Paths and messages only: zod does not echo values, and the values may be secrets.
        const where = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
        return { ok: false, code: "invalid_input", message: `invalid secrets input: ${where}` };
      }
      return { ok: true, output: { result: scanSecrets(parsed.data), tags: [] } };
    }
    default:
      return { ok: false, code: "unknown_scan_type", message: `no scanner for type ${scanType}` };
  }
}
