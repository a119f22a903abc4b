import type { ApiFinding } from "./scan-client.js";

/** Severities from the most to the least severe; `unknown` ranks lowest for ordering and gating. */
export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unknown"] as const;
export type Severity = (typeof SEVERITY_ORDER)[number];

/** What was found in one file: the scan that covered it, and its findings (or why it has none). */
export interface FileReport {
  path: string;
  kind: "lockfile" | "sbom" | "secrets";
  /** The scan's type as submitted: `dependencies`, `sbom` or `secrets`. */
  scanType: string;
  scanId?: string;
  /** The file's text: SARIF locations point at the line of each package in it. */
  text: string;
  findings: ApiFinding[];
  /** The scan failed or was refused: the run exits 2. */
  error?: string;
}

export interface ScanReport {
  root: string;
  labels: Record<string, string>;
  files: FileReport[];
}

export function severityOf(finding: ApiFinding): Severity {
  return (SEVERITY_ORDER as readonly string[]).includes(finding.severity) ? (finding.severity as Severity) : "unknown";
}

/** Rank for gating: 4 critical … 0 unknown. */
export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.length - 1 - SEVERITY_ORDER.indexOf(severity);
}

/** Findings by severity across every file, plus the total. */
export function summarize(files: readonly FileReport[]): Record<Severity | "total", number> {
  const summary = Object.fromEntries([...SEVERITY_ORDER, "total"].map((s) => [s, 0])) as Record<Severity | "total", number>;
  for (const file of files) {
    for (const finding of file.findings) {
      summary[severityOf(finding)] += 1;
      summary.total += 1;
    }
  }
  return summary;
}

/** Whether a finding at or above `failOn` is present (`none`: never). */
export function failsGate(files: readonly FileReport[], failOn: Severity | "none"): boolean {
  if (failOn === "none") return false;
  const threshold = severityRank(failOn);
  return files.some((file) => file.findings.some((finding) => severityRank(severityOf(finding)) >= threshold));
}

/** The report as JSON: every file with its scan, summary and findings, and the run's summary and labels. */
export function formatJson(report: ScanReport): string {
  return `${JSON.stringify(
    {
      labels: report.labels,
      summary: summarize(report.files),
      files: report.files.map((file) => ({
        path: file.path,
        kind: file.kind,
        scan_type: file.scanType,
        scan_id: file.scanId ?? null,
        summary: summarize([file]),
        findings: file.findings,
        ...(file.error !== undefined && { error: file.error }),
      })),
    },
    null,
    2,
  )}\n`;
}
