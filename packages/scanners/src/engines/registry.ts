import { type PackagesTask, packagesEngine } from "../dependencies/packages-engine.js";
import { type ImageTask, imageEngine } from "../image-findings/image-engine.js";
import { type SecretsTask, secretsEngine } from "../secrets/secrets-engine.js";
import type { ScanEngine } from "./scan-engine.js";

/**
 * One scan for an engine: the canonical input and what the scan type loaded for it beforehand (the advisories
 * of its packages), so that the engine itself is a pure function a thread can run.
 */
export type ScanTask = SecretsTask | PackagesTask | ImageTask;

/** The engines, by name: what a scan type's `engine` refers to. */
export type ScanEngineName = ScanTask["engine"];

/** Every engine, by name. A new engine is its module (task, run, result schema) and one line here and in ScanTask. */
export const SCAN_ENGINES: { readonly [N in ScanEngineName]: ScanEngine<Extract<ScanTask, { engine: N }>> } = {
  secrets: secretsEngine,
  packages: packagesEngine,
  image: imageEngine,
};
