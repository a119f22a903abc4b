import type { Db, InputKey } from "@secapi/db";
import type { ScanTask } from "@secapi/scanners";
import type { z } from "zod";

/** What a run needs besides its canonical input, read before the (pure) engine runs on a thread. */
export interface PreparedRun {
  task: ScanTask;
  /** The advisory revision the loaded data reflects; null: the scan does not depend on advisories. */
  advisoryRevision: number | null;
}

/**
 * Everything SecAPI knows about one scan type, in one module per type (`scan-types/<name>.ts`): how it is
 * accepted (schema, canonical form), addressed (private or shared), run (what it loads, which engine) and
 * described. The API, both workers and the OpenAPI document iterate SCAN_TYPES instead of switching on names.
 */
export interface ScanTypeDefinition<I = unknown> {
  name: string;
  /** Other names clients may use, e.g. `POST /api/v1/scan/docker`. */
  aliases?: readonly string[];
  /** Results belong to the submitting user alone: keys, jobs and results are scoped by owner. */
  private: boolean;
  inputSchema: z.ZodType<I>;
  /**
   * The form whose hash addresses the input and which the worker scans: equal content, equal form,
   * whatever the order given. May throw the scanner's input errors (unusable lockfile, SBOM...) and,
   * for every type, UnstorableInputError.
   */
  canonicalize(input: I): unknown;
  /** For input that lacks something the client can produce: a message saying how (answered 422). */
  missingInputHint?(raw: unknown): string | undefined;
  /** Reads what the engine needs for this canonical input (advisories for package scans) and builds its task. */
  prepareRun(db: Db, canonicalInput: unknown): Promise<PreparedRun>;
}

/** The content address of an input of `type`: its owner only for a private type. */
export function inputKeyOf(type: Pick<ScanTypeDefinition, "name" | "private">, userId: string, inputHash: string): InputKey {
  return { scanType: type.name, ownerId: type.private ? userId : null, inputHash };
}
