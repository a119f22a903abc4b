import type { ApiFinding, ApiImage, ApiScan } from "./scan-client.js";

/** Severities from the most to the least severe; `unknown` ranks lowest for ordering and gating. */
export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unknown"] as const;
export type Severity = (typeof SEVERITY_ORDER)[number];

/**
 * What was found in one target (a file under PATH, or an image): the scan that covered it, and its findings (or why
 * it has none).
 */
export interface TargetReport {
  /** The file's path under PATH; for an image, its reference or the archive's path as given. */
  path: string;
  kind: "lockfile" | "sbom" | "secrets" | "image";
  /** The scan's type as submitted: `dependencies`, `sbom`, `secrets` or `image`. */
  scanType: string;
  scanId?: string | undefined;
  /** A file's text: SARIF locations point at the line of each package in it. Images have none. */
  text?: string;
  /** An image's digest, distribution and layers, as the server read them. */
  image?: ApiImage | undefined;
  findings: ApiFinding[];
  /** The scan failed or was refused: the run exits 2. */
  error?: string | undefined;
}

export interface ScanReport {
  root: string;
  labels: Record<string, string>;
  files: TargetReport[];
}

/** A finished scan's part of a report: its findings, or why it has none (a failure shows the server's code). */
export function scanOutcome(scan: ApiScan): Pick<TargetReport, "findings" | "error" | "scanId" | "image"> {
  if (scan.status === "failed") {
    const message = scan.error?.message ?? "the scan failed";
    return { scanId: scan.id, findings: [], error: scan.error?.code === undefined ? message : `${scan.error.code}: ${message}` };
  }
  if (scan.outdated) return { scanId: scan.id, findings: [], error: "the result is outdated; scan again" };
  return { scanId: scan.id, findings: scan.result?.findings ?? [], ...(scan.result?.image !== undefined && { image: scan.result.image }) };
}

export function severityOf(finding: ApiFinding): Severity {
  return (SEVERITY_ORDER as readonly string[]).includes(finding.severity) ? (finding.severity as Severity) : "unknown";
}

/** Rank for gating: 4 critical … 0 unknown. */
export function severityRank(severity: Severity): number {
  return SEVERITY_ORDER.length - 1 - SEVERITY_ORDER.indexOf(severity);
}

/** Findings by severity across every file, plus the total. */
export function summarize(files: readonly TargetReport[]): Record<Severity | "total", number> {
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
export function failsGate(files: readonly TargetReport[], failOn: Severity | "none"): boolean {
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
        ...(file.image !== undefined && { image: file.image }),
        summary: summarize([file]),
        findings: file.findings,
        ...(file.error !== undefined && { error: file.error }),
      })),
    },
    null,
    2,
  )}\n`;
}
