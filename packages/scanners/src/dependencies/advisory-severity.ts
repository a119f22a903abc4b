import type { Severity } from "../scan-result.js";
import { cvssBaseScore } from "./cvss-base-score.js";
import type { OsvAdvisory } from "./osv-schema.js";

const DATABASE_SEVERITIES: Readonly<Record<string, Severity>> = {
  CRITICAL: "critical",
  HIGH: "high",
  MODERATE: "medium",
  MEDIUM: "medium",
  LOW: "low",
};

/**
 * The highest CVSS v3/v4 base score among the advisory's vectors (top-level and per package), rated
 * critical ≥ 9, high ≥ 7, medium ≥ 4, low > 0; without a usable vector, `database_specific.severity`
 * (GitHub's CRITICAL/HIGH/MODERATE/LOW); else unknown.
 */
export function advisorySeverity(osv: OsvAdvisory): Severity {
  const entries = [...(osv.severity ?? []), ...(osv.affected ?? []).flatMap((a) => a.severity ?? [])];
  let highest = 0;
  for (const entry of entries) {
    if (entry.type !== "CVSS_V3" && entry.type !== "CVSS_V4") continue;
    highest = Math.max(highest, cvssBaseScore(entry.score.trim()) ?? 0);
  }
  if (highest > 0) return ratingOf(highest);
  const stated = osv.database_specific?.severity;
  return (typeof stated === "string" ? DATABASE_SEVERITIES[stated.trim().toUpperCase()] : undefined) ?? "unknown";
}

function ratingOf(score: number): Severity {
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return "low";
}
