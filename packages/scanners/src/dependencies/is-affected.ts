import type { AffectedPackage, RangeEvent } from "./advisory.js";
import { compareVersions } from "./compare-versions.js";
import type { Ecosystem } from "./ecosystem.js";
import { lowerVersion } from "./lower-version.js";
import { isSpecialEvent, rangeScheme } from "./range-order.js";
import { ecosystemScheme } from "./version-scheme.js";
import type { VersionScheme } from "./version-scheme.js";

/** Whether an installed version is affected, and the lowest fixed version above it (null if none). */
export interface AffectedVerdict {
  affected: boolean;
  fixedIn: string | null;
}

const UNAFFECTED: AffectedVerdict = { affected: false, fixedIn: null };

/**
 * Whether `version` is affected by one OSV `affected[]` entry (OSV "Evaluation"): listed in `versions`,
 * or inside any range. Never throws: a range whose ordering cannot parse `version` is skipped.
 */
export function isAffected(ecosystem: Ecosystem, version: string, affected: AffectedPackage): boolean {
  return affectedVerdict(ecosystem, version, affected).affected;
}

/** isAffected plus the fix: the lowest `fixed` above `version` among the ranges that contain it. */
export function affectedVerdict(ecosystem: Ecosystem, version: string, affected: AffectedPackage): AffectedVerdict {
  let inRange = false;
  let fixedIn: string | null = null;
  for (const range of affected.ranges) {
    const scheme = rangeScheme(ecosystem, range.type);
    if (scheme.key(version) === null) continue;
    const verdict = rangeVerdict(scheme, version, range.events);
    if (!verdict.affected) continue;
    inRange = true;
    fixedIn = lowerVersion(ecosystem, fixedIn, verdict.fixedIn);
  }
  if (inRange) return { affected: true, fixedIn };
  if (!listed(ecosystem, version, affected.versions)) return UNAFFECTED;
  // Listed but in no range: the best upgrade the entry names is its lowest fix above the version.
  return { affected: true, fixedIn: affected.fixed.find((f) => compareVersions(ecosystem, f, version) > 0) ?? null };
}

function listed(ecosystem: Ecosystem, version: string, versions: readonly string[]): boolean {
  if (versions.length === 0) return false;
  return versions.includes(ecosystemScheme(ecosystem).key(version) ?? version.trim());
}

/**
 * The OSV evaluation of one range over events sorted by `scheme`: walking them in order, an
 * `introduced` at or below the version sets "affected", a `fixed` at or below it clears it, a
 * `last_affected` strictly below it clears it. With `limit` events, the version must be below one.
 */
function rangeVerdict(scheme: VersionScheme, version: string, events: readonly RangeEvent[]): AffectedVerdict {
  let affected = false;
  let limited = false;
  let belowLimit = false;
  let nextFixed: string | null = null;
  for (const event of events) {
    // NaN when the event's version does not parse: every test below is then false, skipping the event.
    const order = isSpecialEvent(event) ? Number.NaN : scheme.compare(version, event.version);
    switch (event.kind) {
      case "introduced":
        if (event.version === "0" || order >= 0) affected = true;
        break;
      case "fixed":
        if (order >= 0) affected = false;
        else if (order < 0) nextFixed ??= event.version;
        break;
      case "last_affected":
        if (order > 0) affected = false;
        break;
      case "limit":
        limited = true;
        if (event.version === "*" || order < 0) belowLimit = true;
        break;
    }
  }
  if (!affected || (limited && !belowLimit)) return UNAFFECTED;
  return { affected: true, fixedIn: nextFixed };
}
