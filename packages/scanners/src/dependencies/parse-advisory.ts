import type { Advisory, AffectedPackage, AffectedRange, RangeEvent } from "./advisory.js";
import { AdvisoryError } from "./advisory-error.js";
import { advisoryCvss, advisoryCwes, advisoryReferences } from "./advisory-details.js";
import { advisorySeverity } from "./advisory-severity.js";
import { ecosystemDefinition, osvEcosystem } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import { osvAdvisorySchema } from "./osv-schema.js";
import type { OsvAdvisory } from "./osv-schema.js";
import { compareEvents, isSpecialEvent, rangeScheme } from "./range-order.js";

type OsvAffected = NonNullable<OsvAdvisory["affected"]>[number];
type OsvRange = NonNullable<OsvAffected["ranges"]>[number];

const MAX_REPORTED_ISSUES = 5;
const MAX_DETAILS_SUMMARY = 200;

/**
 * The version of the prepared form parseAdvisory produces. Stored beside each advisory: bump it whenever the
 * form changes (normalisation, events kept or dropped), so re-importing the same files replaces what an older
 * parser prepared. 2: short versions padded, unreadable events kept. 3: RubyGems, Packagist, Debian and Alpine
 * entries kept (Debian and Alpine names carry their release). 4: cvss, cwes and references kept.
 */
export const ADVISORY_PARSER_VERSION = 4;

/**
 * Validates an OSV advisory (unknown fields ignored) and prepares it for matching: names normalised,
 * events sorted, severity rated, ecosystems outside the registry (ECOSYSTEM_DEFINITIONS) dropped. Throws AdvisoryError.
 */
export function parseAdvisory(json: unknown): Advisory {
  const parsed = osvAdvisorySchema.safeParse(json);
  if (!parsed.success) {
    const id = typeof json === "object" && json !== null && "id" in json && typeof json.id === "string" ? ` ${json.id.slice(0, 100)}` : "";
    const issues = parsed.error.issues
      .slice(0, MAX_REPORTED_ISSUES)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new AdvisoryError(`invalid OSV advisory${id}: ${issues}`);
  }
  const osv = parsed.data;
  // Matching compares it with the current time; OSV says RFC 3339.
  if (osv.withdrawn && Number.isNaN(Date.parse(osv.withdrawn))) {
    throw new AdvisoryError(`invalid OSV advisory ${osv.id.slice(0, 100)}: withdrawn: not a timestamp`);
  }
  return {
    id: osv.id,
    modified: osv.modified,
    ...(osv.published ? { published: osv.published } : {}),
    ...(osv.withdrawn ? { withdrawn: osv.withdrawn } : {}),
    aliases: [...new Set(osv.aliases ?? [])],
    summary: summaryOf(osv),
    severity: advisorySeverity(osv),
    ...advisoryCvss(osv),
    cwes: advisoryCwes(osv),
    references: advisoryReferences(osv),
    affected: (osv.affected ?? []).flatMap((entry) => {
      const name = entry.package ? packageNameInRelease(entry.package.ecosystem, entry.package.name) : undefined;
      return name === undefined ? [] : [affectedPackage(name.ecosystem, name.name, entry)];
    }),
  };
}

/**
 * The ecosystem and package name an `affected[].package` is matched by: the release goes into the name for
 * ecosystems with releases (`Debian:12`, `openssl` → `12/openssl`); one of them without a release could
 * affect any release's package, so it is left out like an unsupported ecosystem.
 */
function packageNameInRelease(osvName: string, name: string): { ecosystem: Ecosystem; name: string } | undefined {
  const found = osvEcosystem(osvName);
  if (found === undefined) return undefined;
  const { definition, release } = found;
  if (definition.releaseName === undefined) return { ecosystem: definition.id, name };
  return release === undefined ? undefined : { ecosystem: definition.id, name: definition.releaseName(release, name) };
}

function summaryOf(osv: OsvAdvisory): string {
  const summary = osv.summary?.trim();
  if (summary) return summary;
  const firstLine = osv.details?.trim().split("\n")[0]?.trim() ?? "";
  return firstLine.length > MAX_DETAILS_SUMMARY ? `${firstLine.slice(0, MAX_DETAILS_SUMMARY)}…` : firstLine;
}

function affectedPackage(ecosystem: Ecosystem, name: string, entry: OsvAffected): AffectedPackage {
  const { versionScheme: scheme, normalizeName } = ecosystemDefinition(ecosystem);
  const ranges = (entry.ranges ?? []).flatMap((range) => {
    const prepared = prepareRange(ecosystem, range);
    return prepared === null ? [] : [prepared];
  });
  const fixed = ranges
    .flatMap((r) => r.events.filter((e) => e.kind === "fixed").map((e) => e.version))
    // A SEMVER range's fix may still not read under the ecosystem's ordering (PyPI).
    .filter((v) => scheme.key(v) !== null)
    .sort((a, b) => scheme.compare(a, b))
    .filter((v, i, all) => i === 0 || scheme.compare(v, all[i - 1] ?? v) !== 0);
  return {
    ecosystem,
    name: normalizeName(name),
    ranges,
    versions: [...new Set((entry.versions ?? []).map((v) => scheme.key(scheme.normalize(v) ?? v) ?? v.trim()))],
    fixed,
  };
}

// GIT ranges need the repository's commit graph; unknown range types have no defined ordering.
function prepareRange(ecosystem: Ecosystem, range: OsvRange): AffectedRange | null {
  if (range.type !== "SEMVER" && range.type !== "ECOSYSTEM") return null;
  const scheme = rangeScheme(ecosystem, range.type);
  const events: RangeEvent[] = [];
  // Dropping an event it cannot place would change the range's meaning; it is kept apart instead.
  const unreadable: RangeEvent[] = [];
  for (const event of range.events.map(toEvent)) {
    const version = isSpecialEvent(event) ? event.version : scheme.normalize(event.version);
    if (version === null) unreadable.push(event);
    else events.push({ kind: event.kind, version });
  }
  events.sort((a, b) => compareEvents(scheme, a, b));
  return { type: range.type, events, ...(unreadable.length > 0 ? { unreadable } : {}) };
}

function toEvent(event: OsvRange["events"][number]): RangeEvent {
  if (event.introduced !== undefined) return { kind: "introduced", version: event.introduced };
  if (event.fixed !== undefined) return { kind: "fixed", version: event.fixed };
  if (event.last_affected !== undefined) return { kind: "last_affected", version: event.last_affected };
  // The schema admits exactly one of the four.
  return { kind: "limit", version: event.limit ?? "*" };
}
