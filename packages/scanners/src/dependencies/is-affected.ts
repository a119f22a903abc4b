import type { AffectedPackage, AffectedRange, RangeEvent } from "./advisory.js";
import { UNAFFECTED, eitherVerdict } from "./affected-verdict.js";
import type { AffectedVerdict } from "./affected-verdict.js";
import { compareVersions } from "./compare-versions.js";
import { ecosystemDefinition } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import { isSpecialEvent, rangeScheme } from "./range-order.js";
import type { VersionScheme } from "./version-schemes/version-scheme.js";

/**
 * Whether `version` is affected by one OSV `affected[]` entry (OSV "Evaluation"): listed in `versions`,
 * or inside any range, whatever the versions that could not be read are. Never throws.
 */
export function isAffected(ecosystem: Ecosystem, version: string, affected: AffectedPackage): boolean {
  return affectedVerdict(ecosystem, version, affected).status === "affected";
}

/**
 * isAffected as a verdict with the fix: `affected` with the lowest `fixed` above `version` among the
 * ranges that contain it; else `unverified` when a range could contain it, were its unreadable events
 * (or the unreadable installed version) in the right place; else `unaffected`.
 */
export function affectedVerdict(ecosystem: Ecosystem, version: string, affected: AffectedPackage): AffectedVerdict {
  let verdict = UNAFFECTED;
  for (const range of affected.ranges) {
    const inRange = rangeVerdict(rangeScheme(ecosystem, range.type), version, range);
    if (inRange !== UNAFFECTED) verdict = eitherVerdict(ecosystem, verdict, inRange);
  }
  if (verdict.status === "affected" || !listed(ecosystem, version, affected.versions)) return verdict;
  // Listed but in no range: the best upgrade the entry names is its lowest fix above the version.
  return { status: "affected", fixedIn: affected.fixed.find((f) => compareVersions(ecosystem, f, version) > 0) ?? null };
}

function listed(ecosystem: Ecosystem, version: string, versions: readonly string[]): boolean {
  if (versions.length === 0) return false;
  return versions.includes(ecosystemDefinition(ecosystem).versionScheme.key(version) ?? version.trim());
}

const NO_EVENTS: readonly RangeEvent[] = [];
const UNVERIFIED: AffectedVerdict = { status: "unverified", fixedIn: null };

/**
 * One range. An event whose version cannot be read could be anywhere in the order, so the range is
 * judged with the unreadable events where they affect the version least (an `introduced` above it; a
 * `fixed`, `last_affected` or `limit` just below it) and where they affect it most (an `introduced` at
 * it; the others above it). Affected both ways: `affected`; only the second way: `unverified`.
 */
function rangeVerdict(scheme: VersionScheme, version: string, range: AffectedRange): AffectedVerdict {
  // An installed version the ordering cannot read could be anywhere too.
  if (scheme.key(version) === null) return UNVERIFIED;
  const walk = walkEvents(scheme, version, range.events);
  const unreadable = range.unreadable ?? NO_EVENTS;
  if (unreadable.length === 0) {
    return walk.affected && (!walk.limited || walk.belowLimit) ? { status: "affected", fixedIn: walk.nextFixed } : UNAFFECTED;
  }
  const unreadableIntroduced = unreadable.some((e) => e.kind === "introduced");
  const unreadableEnd = unreadable.some((e) => e.kind === "fixed" || e.kind === "last_affected");
  const unreadableLimit = unreadable.some((e) => e.kind === "limit");
  const surelyBelowLimits = walk.belowLimit || (!walk.limited && !unreadableLimit);
  if (walk.affected && !unreadableEnd && surelyBelowLimits) return { status: "affected", fixedIn: walk.nextFixed };
  const maybeBelowLimits = walk.belowLimit || !walk.limited || unreadableLimit;
  return (walk.affected || unreadableIntroduced) && maybeBelowLimits ? { status: "unverified", fixedIn: walk.nextFixed } : UNAFFECTED;
}

interface Walk {
  affected: boolean;
  /** Whether the range has readable `limit` events, and whether the version is below one of them. */
  limited: boolean;
  belowLimit: boolean;
  /** The first `fixed` above the version. */
  nextFixed: string | null;
}

/**
 * The OSV evaluation over readable events sorted by `scheme`: walking them in order, an `introduced` at
 * or below the version sets "affected", a `fixed` at or below it clears it, a `last_affected` strictly
 * below it clears it. Events above the version change nothing, so an event placed just at the version
 * acts as if applied after the walk.
 */
function walkEvents(scheme: VersionScheme, version: string, events: readonly RangeEvent[]): Walk {
  const walk: Walk = { affected: false, limited: false, belowLimit: false, nextFixed: null };
  for (const event of events) {
    // NaN for a special event, or for an unreadable one in an entry not built by parseAdvisory: every test below is then false.
    const order = isSpecialEvent(event) ? Number.NaN : scheme.compare(version, event.version);
    switch (event.kind) {
      case "introduced":
        if (event.version === "0" || order >= 0) walk.affected = true;
        break;
      case "fixed":
        if (order >= 0) walk.affected = false;
        else if (order < 0) walk.nextFixed ??= event.version;
        break;
      case "last_affected":
        if (order > 0) walk.affected = false;
        break;
      case "limit":
        walk.limited = true;
        if (isSpecialEvent(event) || order < 0) walk.belowLimit = true;
        break;
    }
  }
  return walk;
}
