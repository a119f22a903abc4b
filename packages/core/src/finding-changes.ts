import type { FindingRef } from "@secapi/events";

/** A vulnerability finding as far as change detection reads it (results are stored as JSON). */
interface FindingLike {
  id?: unknown;
  ecosystem?: unknown;
  package?: unknown;
  version?: unknown;
  severity?: unknown;
  path?: unknown;
}

/**
 * The one definition of "the same finding" across two results of an input: the advisory, the package (in its
 * ecosystem), the installed version and, where the input shows it, the dependency path. A new severity or summary
 * for the same advisory is not a change: the user already knows about that finding.
 */
export function findingIdentity(ref: FindingRef): string {
  return JSON.stringify([ref.id, ref.ecosystem ?? null, ref.package, ref.version, ref.path ?? null]);
}

/** The compact reference of a vulnerability finding; undefined for findings that are not one (secrets). */
export function findingRef(finding: unknown): FindingRef | undefined {
  if (typeof finding !== "object" || finding === null) return undefined;
  const f = finding as FindingLike;
  if (typeof f.id !== "string" || typeof f.package !== "string" || typeof f.version !== "string") return undefined;
  return {
    id: f.id,
    ...(typeof f.ecosystem === "string" && { ecosystem: f.ecosystem }),
    package: f.package,
    version: f.version,
    severity: typeof f.severity === "string" ? f.severity : "unknown",
    ...(Array.isArray(f.path) && f.path.every((p) => typeof p === "string") && { path: f.path as string[] }),
  };
}

function refsOf(result: unknown): Map<string, FindingRef> {
  const findings = (result as { findings?: unknown } | null)?.findings;
  const refs = new Map<string, FindingRef>();
  if (!Array.isArray(findings)) return refs;
  for (const finding of findings) {
    const ref = findingRef(finding);
    if (ref) refs.set(findingIdentity(ref), ref);
  }
  return refs;
}

export interface FindingChanges {
  added: FindingRef[];
  removed: FindingRef[];
}

/** The vulnerability findings `after` has that `before` had not, and the reverse, by findingIdentity. */
export function diffFindings(before: unknown, after: unknown): FindingChanges {
  const old = refsOf(before);
  const now = refsOf(after);
  return {
    added: [...now].filter(([identity]) => !old.has(identity)).map(([, ref]) => ref),
    removed: [...old].filter(([identity]) => !now.has(identity)).map(([, ref]) => ref),
  };
}
