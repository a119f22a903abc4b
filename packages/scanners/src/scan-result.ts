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

/** The result of any scan type (docs/API.md "Results"). */
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
/** The order a secret finding's fields are shown in, as the SecretFinding type declares them. */
const SECRET_FINDING_KEYS = ["rule_id", "description", "path", "line", "column", "severity", "redacted", "fingerprint"];
/** The order a vulnerability finding's fields are shown in, as VulnerabilityFinding declares them. */
const VULNERABILITY_FINDING_KEYS = [
  "id",
  "aliases",
  "ecosystem",
  "package",
  "version",
  "severity",
  "summary",
  "fixed_in",
  "cvss",
  "cwes",
  "published",
  "references",
  "confidence",
  "direct",
  "dev",
  "path",
];
const CVSS_KEYS = ["version", "vector", "score"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `value` with `keys` first, in that order, then anything else it holds; anything but an object as it is. */
function inKeyOrder<T>(value: T, keys: readonly string[]): T {
  if (!isObject(value)) return value;
  const ordered: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(value, key)) ordered[key] = value[key];
  for (const [key, inner] of Object.entries(value)) if (!Object.hasOwn(ordered, key)) ordered[key] = inner;
  return ordered as T;
}

/**
 * A summary with its keys in the fixed order critical, high, medium, low, unknown, total (then anything else it
 * holds). Postgres's jsonb stores keys in its own order (shortest first), so a summary read back from a result
 * needs this before it is shown. Anything that is not a JSON object is returned as it is.
 */
export function orderedSummary<T>(summary: T): T {
  return inKeyOrder(summary, SUMMARY_KEYS);
}

/** A finding read back from jsonb with its fields in their declared order (`cvss` too), as a scan produced it. */
export function orderedFinding<T>(finding: T): T {
  if (!isObject(finding)) return finding;
  if (Object.hasOwn(finding, "rule_id")) return inKeyOrder(finding, SECRET_FINDING_KEYS);
  const ordered = inKeyOrder(finding, VULNERABILITY_FINDING_KEYS) as Record<string, unknown>;
  if (isObject(ordered.cvss)) ordered.cvss = inKeyOrder(ordered.cvss, CVSS_KEYS);
  return ordered as T;
}
