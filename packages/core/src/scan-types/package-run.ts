import type { Db } from "@secapi/db";
import type { PackageSet } from "@secapi/scanners";
import { AdvisoryCache } from "./advisory-cache.js";
import type { PreparedRun } from "./scan-type.js";

/** One cache per database: a process (or a test) may talk to several. */
const caches = new WeakMap<Db, AdvisoryCache>();

/** The process's advisory cache for `db`. */
export function advisoryCacheFor(db: Db): AdvisoryCache {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new AdvisoryCache()));
  return cache;
}

/**
 * A package scan (dependencies, sbom) matches its packages against their advisories: read here, with the
 * advisory revision they are at (one statement, one snapshot), so that the result can say what it reflects.
 * Advisories this process read before are reused while Postgres says they are unchanged (AdvisoryCache).
 */
export async function preparePackageRun(db: Db, canonicalInput: unknown): Promise<PreparedRun<"packages">> {
  const packages = (canonicalInput as Partial<PackageSet> | null)?.packages;
  const snapshot = await advisoryCacheFor(db).snapshot(db, Array.isArray(packages) ? packages : []);
  return {
    task: { engine: "packages", input: canonicalInput, advisories: snapshot.advisories, prepared: snapshot.prepared },
    advisoryRevision: snapshot.revision,
  };
}
