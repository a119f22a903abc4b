import { summarize } from "../scan-result.js";
import type { Advisory, AffectedPackage } from "./advisory.js";
import type { Ecosystem } from "./ecosystem.js";
import { affectedVerdict } from "./is-affected.js";
import { lowerVersion } from "./lower-version.js";
import { normalizePackageName } from "./package-name.js";
import type { PackageSet } from "./package-set.js";
import { packageTag } from "./package-tag.js";
import type { DependencyScanOutput, VulnerabilityFinding } from "./vulnerability-finding.js";

interface Candidate {
  advisory: Advisory;
  /** The advisory's entries for one package (GHSA repeats the package once per range). */
  entries: AffectedPackage[];
}

/**
 * Matches a package set against the advisories that may affect it (the caller fetched them by
 * ecosystem and name). Withdrawn advisories never match. One finding per (package, version, advisory),
 * sorted by package, version, id; `fixed_in` is the lowest fix above the installed version.
 */
export function matchPackages(set: PackageSet, advisories: Advisory[]): DependencyScanOutput {
  const index = indexAdvisories(advisories);
  const findings: VulnerabilityFinding[] = [];
  const tags = new Set<string>();
  for (const pkg of set.packages) {
    const name = normalizePackageName(pkg.ecosystem, pkg.name);
    tags.add(packageTag(pkg.ecosystem, name));
    for (const { advisory, entries } of index.get(packageKey(pkg.ecosystem, name)) ?? []) {
      const finding = matchAdvisory(pkg.ecosystem, name, pkg.version, advisory, entries);
      if (finding !== null) findings.push(finding);
    }
  }
  findings.sort(byPackageVersionId);
  return {
    result: { summary: summarize(findings), findings, unchecked: set.unchecked, packages: set.packages.length },
    tags: [...tags].sort(),
  };
}

function matchAdvisory(
  ecosystem: Ecosystem,
  name: string,
  version: string,
  advisory: Advisory,
  entries: AffectedPackage[],
): VulnerabilityFinding | null {
  let affected = false;
  let fixedIn: string | null = null;
  for (const entry of entries) {
    const verdict = affectedVerdict(ecosystem, version, entry);
    if (!verdict.affected) continue;
    affected = true;
    fixedIn = lowerVersion(ecosystem, fixedIn, verdict.fixedIn);
  }
  if (!affected) return null;
  return {
    id: advisory.id,
    aliases: [...advisory.aliases],
    ecosystem,
    package: name,
    version,
    severity: advisory.severity,
    summary: advisory.summary,
    fixed_in: fixedIn,
  };
}

/** Live advisories by (ecosystem, name); of two copies of one id, the later `modified` wins. */
function indexAdvisories(advisories: readonly Advisory[]): Map<string, Candidate[]> {
  const latest = new Map<string, Advisory>();
  for (const advisory of advisories) {
    const seen = latest.get(advisory.id);
    if (seen === undefined || isLater(advisory.modified, seen.modified)) latest.set(advisory.id, advisory);
  }
  const index = new Map<string, Candidate[]>();
  for (const advisory of latest.values()) {
    if (advisory.withdrawn) continue;
    const byPackage = new Map<string, AffectedPackage[]>();
    for (const entry of advisory.affected) {
      const key = packageKey(entry.ecosystem, entry.name);
      const entries = byPackage.get(key);
      if (entries === undefined) byPackage.set(key, [entry]);
      else entries.push(entry);
    }
    for (const [key, entries] of byPackage) {
      const candidates = index.get(key);
      if (candidates === undefined) index.set(key, [{ advisory, entries }]);
      else candidates.push({ advisory, entries });
    }
  }
  return index;
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
