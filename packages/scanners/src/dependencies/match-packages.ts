import { summarize } from "../scan-result.js";
import type { Advisory, AffectedPackage } from "./advisory.js";
import { ecosystemDefinition } from "./ecosystems/registry.js";
import type { Ecosystem } from "./ecosystems/registry.js";
import { UNAFFECTED, eitherVerdict } from "./affected-verdict.js";
import type { AffectedVerdict } from "./affected-verdict.js";
import { affectedVerdict } from "./is-affected.js";
import { type PreparedAdvisory, isLaterCopy, packageKey, prepareAdvisory } from "./match-index.js";
import type { PackageRef, PackageSet } from "./package-set.js";
import { packageTag } from "./package-tag.js";
import type { DependencyScanOutput, VulnerabilityFinding } from "./vulnerability-finding.js";

interface Candidate {
  prepared: PreparedAdvisory;
  entries: readonly AffectedPackage[];
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
export function matchPackages(set: PackageSet, advisories: readonly Advisory[], options: MatchOptions = {}): DependencyScanOutput {
  return matchPrepared(set, advisories.map(prepareAdvisory), options);
}

/** matchPackages over advisories prepared beforehand (prepareAdvisory): what a caller that holds advisories across scans calls. */
export function matchPrepared(set: PackageSet, advisories: readonly PreparedAdvisory[], options: MatchOptions = {}): DependencyScanOutput {
  const index = indexAdvisories(advisories, options.now ?? Date.now());
  const findings: VulnerabilityFinding[] = [];
  const tags = new Set<string>();
  let validUntil = Number.POSITIVE_INFINITY;
  for (const pkg of set.packages) {
    const name = ecosystemDefinition(pkg.ecosystem).normalizeName(pkg.name);
    tags.add(packageTag(pkg.ecosystem, name));
    const candidates = index.get(packageKey(pkg.ecosystem, name));
    if (candidates === undefined) continue;
    for (const { prepared, entries } of candidates) {
      const verdict = advisoryVerdict(pkg.ecosystem, pkg.version, entries);
      if (verdict.status === "unaffected") continue;
      findings.push(finding(prepared.advisory, pkg, name, verdict));
      if (prepared.withdrawnAt !== undefined) validUntil = Math.min(validUntil, prepared.withdrawnAt);
    }
  }
  findings.sort(byPackageVersionId);
  return {
    result: { summary: summarize(findings), findings, unchecked: set.unchecked, packages: set.packages.length },
    tags: [...tags].sort(),
    ...(Number.isFinite(validUntil) ? { validUntil: new Date(validUntil).toISOString() } : {}),
  };
}

function advisoryVerdict(ecosystem: Ecosystem, version: string, entries: readonly AffectedPackage[]): AffectedVerdict {
  let verdict = UNAFFECTED;
  for (const entry of entries) {
    const inEntry = affectedVerdict(ecosystem, version, entry);
    if (inEntry !== UNAFFECTED) verdict = eitherVerdict(ecosystem, verdict, inEntry);
  }
  return verdict;
}

/**
 * The finding, with what the input said about how the package is installed. Built field by field in one order
 * (conditional spreads cost more than the matching); arrays are copied, so no finding shares one with a held advisory.
 */
function finding(advisory: Advisory, pkg: PackageRef, name: string, verdict: AffectedVerdict): VulnerabilityFinding {
  const found: VulnerabilityFinding = {
    id: advisory.id,
    aliases: advisory.aliases.slice(),
    ecosystem: pkg.ecosystem,
    package: name,
    version: pkg.version,
    severity: advisory.severity,
    summary: advisory.summary,
    fixed_in: verdict.fixedIn,
  } as VulnerabilityFinding;
  // Copies stored by an older parser lack cvss, cwes and references.
  if (advisory.cvss) found.cvss = { version: advisory.cvss.version, vector: advisory.cvss.vector, score: advisory.cvss.score };
  found.cwes = advisory.cwes ? advisory.cwes.slice() : [];
  found.published = advisory.published ?? null;
  found.references = advisory.references ? advisory.references.slice() : [];
  if (verdict.status === "unverified") found.confidence = "unverified";
  if (pkg.direct !== undefined) found.direct = pkg.direct;
  if (pkg.dev !== undefined) found.dev = pkg.dev;
  if (pkg.path !== undefined) found.path = pkg.path.slice();
  return found;
}

/** Advisories not withdrawn by `now`, by (ecosystem, name); of two copies of one id, the later `modified` wins. */
function indexAdvisories(advisories: readonly PreparedAdvisory[], now: number): Map<string, Candidate[]> {
  const latest = new Map<string, PreparedAdvisory>();
  for (const prepared of advisories) {
    const seen = latest.get(prepared.advisory.id);
    if (seen === undefined || isLaterCopy(prepared, seen)) latest.set(prepared.advisory.id, prepared);
  }
  const index = new Map<string, Candidate[]>();
  for (const prepared of latest.values()) {
    if (prepared.withdrawnAt !== undefined && prepared.withdrawnAt <= now) continue;
    for (const { key, entries } of prepared.packages) {
      const candidates = index.get(key);
      if (candidates === undefined) index.set(key, [{ prepared, entries }]);
      else candidates.push({ prepared, entries });
    }
  }
  return index;
}

function byPackageVersionId(a: VulnerabilityFinding, b: VulnerabilityFinding): number {
  return order(a.package, b.package) || order(a.version, b.version) || order(a.id, b.id) || order(a.ecosystem, b.ecosystem);
}

function order(a: string, b: string): number {
  return a === b ? 0 : a < b ? -1 : 1;
}
