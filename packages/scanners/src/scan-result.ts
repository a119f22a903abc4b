export const SEVERITIES = ["critical", "high", "medium", "low", "unknown"] as const;
export type Severity = (typeof SEVERITIES)[number];

export type SeveritySummary = Record<Severity, number> & { total: number };

/** A leaked credential. `redacted` never contains the secret itself. */
export interface SecretFinding {
  rule_id: string;
  description: string;
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units of the line. */
  column: number;
  severity: Severity;
  redacted: string;
  fingerprint: string;
}

/** The result of any scan type (DESIGN.md "Scan inputs and results"). */
export interface ScanResult<F = unknown> {
  summary: SeveritySummary;
  findings: F[];
}

/** Counts findings by severity. */
export function summarize(findings: readonly { severity: Severity }[]): SeveritySummary {
  const summary: SeveritySummary = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 };
  for (const finding of findings) {
    summary[finding.severity] += 1;
    summary.total += 1;
  }
  return summary;
}

const SUMMARY_KEYS = [...SEVERITIES, "total"] as const;

/**
 * A summary with its keys in the fixed order critical, high, medium, low, unknown, total (then anything else it
 * holds). Postgres's jsonb stores keys in its own order (shortest first), so a summary read back from a result
 * needs this before it is shown. Anything that is not a JSON object is returned as it is.
 */
export function orderedSummary<T>(summary: T): T {
  if (typeof summary !== "object" || summary === null || Array.isArray(summary)) return summary;
  const source = summary as Record<string, unknown>;
  const ordered: Record<string, unknown> = {};
  for (const key of SUMMARY_KEYS) if (Object.hasOwn(source, key)) ordered[key] = source[key];
  for (const [key, value] of Object.entries(source)) if (!Object.hasOwn(ordered, key)) ordered[key] = value;
  return ordered as T;
}
