import type { AffectedRange, RangeEvent } from "./advisory.js";
import { ecosystemDefinition } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import { semverScheme } from "./version-schemes/semver.js";
import type { VersionScheme } from "./version-schemes/version-scheme.js";

/** The ordering a range's events and the installed version are compared by. */
export function rangeScheme(ecosystem: Ecosystem, type: AffectedRange["type"]): VersionScheme {
  return type === "SEMVER" ? semverScheme : ecosystemDefinition(ecosystem).versionScheme;
}

/** `introduced: "0"` sorts below every version, a `limit` containing `*` above (OSV "Special values"); neither needs to parse. */
export function isSpecialEvent(event: RangeEvent): boolean {
  return (event.kind === "introduced" && event.version === "0") || isUnlimited(event);
}

function isUnlimited(event: RangeEvent): boolean {
  return event.kind === "limit" && event.version.includes("*");
}

/**
 * Orders events by version. Equal versions compare equal, so a stable sort keeps the record's own order
 * for them (as osv-scanner does): `introduced: x, last_affected: x` is x alone, `introduced: x, fixed: x`
 * is empty, `fixed: x, introduced: x` reopens at x.
 */
export function compareEvents(scheme: VersionScheme, a: RangeEvent, b: RangeEvent): number {
  return position(a) - position(b) || (position(a) === 0 ? scheme.compare(a.version, b.version) : 0);
}

function position(event: RangeEvent): number {
  if (event.kind === "introduced" && event.version === "0") return -1;
  if (isUnlimited(event)) return 1;
  return 0;
}
