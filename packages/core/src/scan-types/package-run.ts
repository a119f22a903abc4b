import { type Db, findAdvisorySnapshot } from "@secapi/db";
import type { Advisory, PackageSet } from "@secapi/scanners";
import type { PreparedRun } from "./scan-type.js";

/**
 * A package scan (dependencies, sbom) matches its packages against their advisories: read here, with the
 * advisory revision they are at (one statement, one snapshot), so that the result can say what it reflects.
 */
export async function preparePackageRun(db: Db, canonicalInput: unknown): Promise<PreparedRun> {
  const packages = (canonicalInput as Partial<PackageSet> | null)?.packages;
  const snapshot = await findAdvisorySnapshot(db, Array.isArray(packages) ? packages : []);
  return {
    task: { engine: "packages", input: canonicalInput, advisories: snapshot.advisories as Advisory[] },
    advisoryRevision: snapshot.revision,
  };
}
