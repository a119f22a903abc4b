import { summarize } from "../scan-result.js";
import type { Advisory, AffectedPackage } from "./advisory.js";
import { ecosystemDefinition } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import { UNAFFECTED, eitherVerdict } from "./affected-verdict.js";
import { affectedVerdict } from "./is-affected.js";
import type { PackageRef, PackageSet } from "./package-set.js";
import { packageTag } from "./package-tag.js";
import type { DependencyScanOutput, VulnerabilityFinding } from "./vulnerability-finding.js";

interface Candidate {
  advisory: Advisory;
  /** The advisory's entries for one package (GHSA repeats the package once per range). */
  entries: AffectedPackage[];
  /** When a future `withdrawn` takes effect (ms since the epoch). */
  withdrawnAt?: number;
}

/** Options of matchPackages. */
export interface MatchOptions {
  /** The time the advisories' `withdrawn` dates are compared with, ms since the epoch (default: Date.now()). */
  now?: number;
}

/**
 * Matches a package set against the advisories that may affect it (the caller fetched them by
 * ecosystem and name). An advisory withdrawn at or before `now` never matches; one withdrawn later
 * matches, and the earliest such date among the findings' advisories is the output's `validUntil`.
 * One finding per (package, version, advisory), sorted by package, version, id; `fixed_in` is the lowest
 * fix above the installed version.
 */
export function matchPackages(set: PackageSet, advisories: Advisory[], options: MatchOptions = {}): DependencyScanOutput {
  const index = indexAdvisories(advisories, options.now ?? Date.now());
  const findings: VulnerabilityFinding[] = [];
  const tags = new Set<string>();
  let validUntil = Number.POSITIVE_INFINITY;
  for (const pkg of set.packages) {
    const name = ecosystemDefinition(pkg.ecosystem).normalizeName(pkg.name);
    tags.add(packageTag(pkg.ecosystem, name));
    for (const { advisory, entries, withdrawnAt } of index.get(packageKey(pkg.ecosystem, name)) ?? []) {
      const finding = matchAdvisory(pkg.ecosystem, name, pkg.version, advisory, entries);
      if (finding === null) continue;
      findings.push(withProvenance(finding, pkg));
      if (withdrawnAt !== undefined) validUntil = Math.min(validUntil, withdrawnAt);
    }
  }
  findings.sort(byPackageVersionId);
  return {
    result: { summary: summarize(findings), findings, unchecked: set.unchecked, packages: set.packages.length },
    tags: [...tags].sort(),
    ...(Number.isFinite(validUntil) ? { validUntil: new Date(validUntil).toISOString() } : {}),
  };
}

/** The finding with what the input said about how the package is installed. */
function withProvenance(finding: VulnerabilityFinding, pkg: PackageRef): VulnerabilityFinding {
  return {
    ...finding,
    ...(pkg.direct !== undefined && { direct: pkg.direct }),
    ...(pkg.dev !== undefined && { dev: pkg.dev }),
    ...(pkg.path !== undefined && { path: [...pkg.path] }),
  };
}

function matchAdvisory(
  ecosystem: Ecosystem,
  name: string,
  version: string,
  advisory: Advisory,
  entries: AffectedPackage[],
): VulnerabilityFinding | null {
  let verdict = UNAFFECTED;
  for (const entry of entries) {
    const inEntry = affectedVerdict(ecosystem, version, entry);
    if (inEntry !== UNAFFECTED) verdict = eitherVerdict(ecosystem, verdict, inEntry);
  }
  if (verdict.status === "unaffected") return null;
  return {
    id: advisory.id,
    aliases: [...advisory.aliases],
    ecosystem,
    package: name,
    version,
    severity: advisory.severity,
    summary: advisory.summary,
    fixed_in: verdict.fixedIn,
    ...advisoryDetails(advisory),
    ...(verdict.status === "unverified" ? { confidence: "unverified" as const } : {}),
  };
}

/** What a finding says about its advisory beyond the match; copies stored by an older parser lack some of it. */
function advisoryDetails(advisory: Advisory): Pick<VulnerabilityFinding, "cvss" | "cwes" | "published" | "references"> {
  return {
    ...(advisory.cvss ? { cvss: { ...advisory.cvss } } : {}),
    cwes: [...(advisory.cwes ?? [])],
    published: advisory.published ?? null,
    references: [...(advisory.references ?? [])],
  };
}

/** Advisories not withdrawn by `now`, by (ecosystem, name); of two copies of one id, the later `modified` wins. */
function indexAdvisories(advisories: readonly Advisory[], now: number): Map<string, Candidate[]> {
  const latest = new Map<string, Advisory>();
  for (const advisory of advisories) {
    const seen = latest.get(advisory.id);
    if (seen === undefined || isLater(advisory.modified, seen.modified)) latest.set(advisory.id, advisory);
  }
  const index = new Map<string, Candidate[]>();
  for (const advisory of latest.values()) {
    const withdrawnAt = withdrawalTime(advisory);
    if (withdrawnAt !== undefined && withdrawnAt <= now) continue;
    const byPackage = new Map<string, AffectedPackage[]>();
    for (const entry of advisory.affected) {
      const key = packageKey(entry.ecosystem, entry.name);
      const entries = byPackage.get(key);
      if (entries === undefined) byPackage.set(key, [entry]);
      else entries.push(entry);
    }
    for (const [key, entries] of byPackage) {
      const candidates = index.get(key);
      const candidate: Candidate = withdrawnAt === undefined ? { advisory, entries } : { advisory, entries, withdrawnAt };
      if (candidates === undefined) index.set(key, [candidate]);
      else candidates.push(candidate);
    }
  }
  return index;
}

// parseAdvisory rejects a `withdrawn` that is not a timestamp; one in a hand-built advisory counts as already past.
function withdrawalTime(advisory: Advisory): number | undefined {
  if (!advisory.withdrawn) return undefined;
  const time = Date.parse(advisory.withdrawn);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

// OSV timestamps are RFC 3339, which may differ in precision or offset; as strings only if unparseable.
function isLater(a: string, b: string): boolean {
  const [x, y] = [Date.parse(a), Date.parse(b)];
  return Number.isNaN(x) || Number.isNaN(y) ? a > b : x > y;
}

function packageKey(ecosystem: Ecosystem, name: string): string {
  return `${ecosystem}\u0000${name}`;
}

function byPackageVersionId(a: VulnerabilityFinding, b: VulnerabilityFinding): number {
  return order(a.package, b.package) || order(a.version, b.version) || order(a.id, b.id) || order(a.ecosystem, b.ecosystem);
}

function order(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
