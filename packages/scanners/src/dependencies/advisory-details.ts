import type { AdvisoryCvss } from "./advisory.js";
import { cvssBaseScore } from "./cvss-base-score.js";
import type { OsvAdvisory } from "./osv-schema.js";

/** References kept per advisory: findings stay compact (GHSA advisories list up to dozens). */
export const MAX_REFERENCES = 10;

const CVSS_VERSION = /^CVSS:(3\.0|3\.1|4\.0)\//;

/**
 * The highest-scoring CVSS v3/v4 vector among the advisory's severity entries (top-level, then per package),
 * as `{ cvss }`, or `{}` when none scores — the same vectors advisorySeverity rates.
 */
export function advisoryCvss(osv: OsvAdvisory): { cvss?: AdvisoryCvss } {
  let best: AdvisoryCvss | undefined;
  for (const entry of [...(osv.severity ?? []), ...(osv.affected ?? []).flatMap((a) => a.severity ?? [])]) {
    if (entry.type !== "CVSS_V3" && entry.type !== "CVSS_V4") continue;
    const vector = entry.score.trim();
    const score = cvssBaseScore(vector);
    const version = CVSS_VERSION.exec(vector)?.[1] as AdvisoryCvss["version"] | undefined;
    if (score === null || version === undefined) continue;
    if (!best || score > best.score) best = { version, vector, score };
  }
  return best ? { cvss: best } : {};
}

/** CWE ids from `database_specific.cwe_ids` (GitHub's advisories), de-duplicated. */
export function advisoryCwes(osv: OsvAdvisory): string[] {
  const ids = osv.database_specific?.cwe_ids;
  return Array.isArray(ids) ? [...new Set(ids.filter((id): id is string => typeof id === "string" && /^CWE-\d+$/.test(id)))] : [];
}

/** The advisory's reference URLs (http and https only), de-duplicated, in its order, at most MAX_REFERENCES. */
export function advisoryReferences(osv: OsvAdvisory): string[] {
  const urls = (osv.references ?? []).map((r) => r.url.trim()).filter((url) => /^https?:\/\//i.test(url));
  return [...new Set(urls)].slice(0, MAX_REFERENCES);
}
