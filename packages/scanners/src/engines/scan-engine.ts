import type { ScanOutcome } from "../scan-outcome.js";

/** A JSON Schema (2020-12, as OpenAPI 3.1 takes it); `$ref`s name components: `#/components/schemas/<name>`. */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * What an engine's results hold beside `summary` and `findings`, as JSON Schema: the API reference builds its
 * `Result` from the fragments of the engines its scan types use, so an engine's output and its description
 * live together.
 */
export interface ResultSchema {
  /** The component its findings are (`VulnerabilityFinding`), one of `components`. */
  finding: string;
  /** The named schemas it uses, its finding's among them. Engines that share a component give the same schema. */
  components: Readonly<Record<string, JsonSchema>>;
  /** Properties its findings carry beyond their component (an image finding's `layer`), merged into it. */
  findingProperties?: Readonly<Record<string, JsonSchema>>;
  /** Top-level properties of its results beside `summary` and `findings`. */
  properties?: Readonly<Record<string, JsonSchema>>;
}

/**
 * One scan engine: a pure, synchronous function from a task (a canonical input and what its scan type loaded for
 * it) to an outcome, which a worker thread can run, and the schema of what it produces.
 */
export interface ScanEngine<T extends { engine: string }> {
  name: T["engine"];
  /** Refuses (a final `invalid_input` failure) a task whose input is not what it scans. */
  run(task: T): ScanOutcome;
  result: ResultSchema;
}
