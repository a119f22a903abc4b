import type { Advisory } from "./dependencies/index.js";
import { matchPackages } from "./dependencies/index.js";
import type { PackageSet } from "./dependencies/index.js";
import type { ScanResult } from "./scan-result.js";
import { scanSecrets } from "./secrets/scan-secrets.js";
import { secretsInputSchema } from "./secrets/secrets-input.js";

/** What a scan produced: the result document and the cache tags of what it covers. */
export interface ScanOutput {
  result: ScanResult;
  tags: string[];
  /** ISO 8601: when the result stops being true by itself (an advisory it matched is withdrawn then). */
  validUntil?: string | undefined;
}

/** Expected failures are values: `invalid_input` is final (no retry), anything thrown is transient. */
export type ScanOutcome =
  | { ok: true; output: ScanOutput }
  | { ok: false; code: "invalid_input" | "unknown_scan_type"; message: string };

/**
 * One scan to run. Dependency scans carry the advisories that may affect their packages: the worker
 * reads them from Postgres first, so the scan itself is a pure function a thread can run.
 */
export type ScanTask =
  | { scanType: "secrets"; input: unknown }
  | { scanType: "dependencies" | "sbom"; input: PackageSet; advisories: Advisory[] }
  | { scanType: string; input: unknown };

function isPackageSet(value: unknown): value is PackageSet {
  const set = value as PackageSet | null;
  return typeof set === "object" && set !== null && Array.isArray(set.packages) && Array.isArray(set.unchecked);
}

/** Runs one scan synchronously. CPU-bound: call it through ScanPool, not on a server's event loop. */
export function runScan(task: ScanTask): ScanOutcome {
  switch (task.scanType) {
    case "secrets": {
      const parsed = secretsInputSchema.safeParse(task.input);
      if (!parsed.success) {
        // Paths and messages only: zod does not echo values, and the values may be secrets.
        const where = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
        return { ok: false, code: "invalid_input", message: `invalid secrets input: ${where}` };
      }
      return { ok: true, output: { result: scanSecrets(parsed.data), tags: [] } };
    }
    case "dependencies":
    case "sbom": {
      const advisories = "advisories" in task ? task.advisories : undefined;
      if (!isPackageSet(task.input) || !Array.isArray(advisories)) {
        return { ok: false, code: "invalid_input", message: `invalid ${task.scanType} task: expected a package set and advisories` };
      }
      return { ok: true, output: matchPackages(task.input, advisories) };
    }
    default:
      return { ok: false, code: "unknown_scan_type", message: `no scanner for type ${task.scanType}` };
  }
}
