import type { Advisory, AffectedPackage } from "./advisory.js";
import type { Ecosystem } from "./ecosystems/registry.js";

/** One advisory's entries for one package (GHSA repeats the package once per range). */
export interface PreparedPackageEntries {
  /** `packageKey` of the package. */
  readonly key: string;
  readonly ecosystem: Ecosystem;
  readonly entries: readonly AffectedPackage[];
}

/**
 * An advisory as matching reads it, built once (prepareAdvisory) and reusable by every scan that matches it, so a
 * scan over held advisories neither regroups their entries nor re-reads their timestamps.
 */
export interface PreparedAdvisory {
  readonly advisory: Advisory;
  /** `modified` in ms since the epoch; NaN when unparseable (then compared as a string). */
  readonly modifiedAt: number;
  /** When `withdrawn` takes effect (ms since the epoch), undefined when never; -Infinity when unparseable. */
  readonly withdrawnAt: number | undefined;
  readonly packages: readonly PreparedPackageEntries[];
}

/** The advisory grouped by package with its timestamps read; pure, so callers may hold the result as long as the advisory. */
export function prepareAdvisory(advisory: Advisory): PreparedAdvisory {
  const byPackage = new Map<string, PreparedPackageEntries & { entries: AffectedPackage[] }>();
  for (const entry of advisory.affected) {
    const key = packageKey(entry.ecosystem, entry.name);
    const held = byPackage.get(key);
    if (held === undefined) byPackage.set(key, { key, ecosystem: entry.ecosystem, entries: [entry] });
    else held.entries.push(entry);
  }
  return { advisory, modifiedAt: Date.parse(advisory.modified), withdrawnAt: withdrawalTime(advisory), packages: [...byPackage.values()] };
}

/** The key advisories are matched to installed packages by: ecosystem and normalised name. */
export function packageKey(ecosystem: Ecosystem, name: string): string {
  return `${ecosystem}\u0000${name}`;
}

/** Whether `a` is a later copy than `b` of one advisory. OSV timestamps are RFC 3339, which may differ in precision or offset; as strings only if unparseable. */
export function isLaterCopy(a: PreparedAdvisory, b: PreparedAdvisory): boolean {
  return Number.isNaN(a.modifiedAt) || Number.isNaN(b.modifiedAt) ? a.advisory.modified > b.advisory.modified : a.modifiedAt > b.modifiedAt;
}

// parseAdvisory rejects a `withdrawn` that is not a timestamp; one in a hand-built advisory counts as already past.
function withdrawalTime(advisory: Advisory): number | undefined {
  if (!advisory.withdrawn) return undefined;
  const time = Date.parse(advisory.withdrawn);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}
