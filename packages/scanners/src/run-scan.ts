import type { Advisory, PackageSet, PreparedAdvisory } from "./dependencies/index.js";
import { matchPackages, matchPrepared } from "./dependencies/index.js";
import { isAnalysedImage, matchImage } from "./image-findings/match-image.js";
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

/**
 * How a scan ended. A failure here is final (the input cannot be scanned: no retry); anything thrown is
 * transient. The same shape all the way to the stored run.
 */
export type ScanOutcome = { status: "completed"; output: ScanOutput } | { status: "failed"; code: "invalid_input"; message: string };

/**
 * One scan for an engine: the canonical input and what the scan type loaded for it beforehand (the advisories
 * of its packages), so that the engine itself is a pure function a thread can run.
 */
export type ScanTask =
  | { engine: "secrets"; input: unknown }
  /**
   * `prepared`: the same advisories prepared for matching, as the caller holds them across scans. Used when
   * the scan runs in the caller's thread; never sent to a pool thread (copying it would cost more than it saves).
   */
  | { engine: "packages"; input: unknown; advisories: Advisory[]; prepared?: PreparedAdvisory[]; now?: number }
  /** `input`: an AnalysedImage (what the scan-worker read from the image before the run). */
  | { engine: "image"; input: unknown; advisories: Advisory[]; now?: number };

/** The engines, by name: what a scan type's `engine` refers to. */
export type ScanEngineName = ScanTask["engine"];

function isPackageSet(value: unknown): value is PackageSet {
  const set = value as PackageSet | null;
  return typeof set === "object" && set !== null && Array.isArray(set.packages) && Array.isArray(set.unchecked);
}

const invalid = (message: string): ScanOutcome => ({ status: "failed", code: "invalid_input", message });

/** Runs one scan synchronously. CPU-bound: call it through ScanPool, not on a server's event loop. */
export function runScan(task: ScanTask): ScanOutcome {
  switch (task.engine) {
    case "secrets": {
      const parsed = secretsInputSchema.safeParse(task.input);
      // Paths and messages only: zod does not echo values, and the values may be secrets.
      if (!parsed.success)
        return invalid(`invalid secrets input: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
      return { status: "completed", output: { result: scanSecrets(parsed.data), tags: [] } };
    }
    case "packages": {
      if (!isPackageSet(task.input) || !Array.isArray(task.advisories))
        return invalid("invalid package scan: expected a package set and advisories");
      const output = Array.isArray(task.prepared)
        ? matchPrepared(task.input, task.prepared, { now: task.now })
        : matchPackages(task.input, task.advisories, { now: task.now });
      return { status: "completed", output };
    }
    case "image": {
      if (!isAnalysedImage(task.input) || !Array.isArray(task.advisories))
        return invalid("invalid image scan: expected an analysed image and advisories");
      return { status: "completed", output: matchImage(task.input, task.advisories, { now: task.now }) };
    }
  }
}
