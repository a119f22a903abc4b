import type { ScanRow, ScanWithResult } from "@secapi/db";
import { orderedFinding, orderedSummary } from "@secapi/scanners";

/** The scan object (docs/API.md "The scan object"). */
export interface ScanView {
  id: string;
  type: string;
  status: ScanRow["status"];
  cached: boolean;
  /** The submitter's labels (`{}` when none). */
  labels: Record<string, string>;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  /** When a re-run against changed advisories found different findings than this scan had; null: never. */
  findings_changed_at: string | null;
  result?: unknown;
  summary?: unknown;
  /** The result was computed against advisories that have changed since: it is no longer shown. */
  outdated?: true;
  error?: { code: string; message: string };
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * A stored result as shown: its summary's keys in the fixed order and each finding's fields in their declared
 * order, as the scan produced them (jsonb keeps neither), then the rest of the result.
 */
export function resultView(result: unknown): unknown {
  if (typeof result !== "object" || result === null || Array.isArray(result)) return result;
  const { summary, findings, ...rest } = result as { summary?: unknown; findings?: unknown };
  return {
    ...(summary !== undefined && { summary: orderedSummary(summary) }),
    ...(findings !== undefined && { findings: Array.isArray(findings) ? findings.map(orderedFinding) : findings }),
    ...rest,
  };
}

/**
 * Renders a scan row; `result` only when given (the list shows the summary instead). An outdated result is
 * neither shown nor summarised: the scan says `outdated: true` instead.
 */
export function scanView(row: ScanRow, extra: { result?: unknown; summary?: unknown; outdated?: boolean } = {}): ScanView {
  if (extra.outdated) return { ...scanView(row), outdated: true };
  return {
    id: row.id,
    type: row.scan_type,
    status: row.status,
    cached: row.cached,
    labels: row.labels,
    created_at: row.created_at.toISOString(),
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
    findings_changed_at: iso(row.findings_changed_at ?? null),
    ...(extra.result !== undefined && extra.result !== null && { result: resultView(extra.result) }),
    ...(extra.summary !== undefined && extra.summary !== null && { summary: orderedSummary(extra.summary) }),
    ...(row.status === "failed" && {
      error: { code: row.error_code ?? "scan_failed", message: row.error ?? "The scan failed" },
    }),
  };
}

/** A scan as `GET /api/v1/scans/:id` shows it: with its result while that is current, `outdated: true` after. */
export function scanWithResultView(row: ScanWithResult): ScanView {
  return scanView(row, { result: row.result, outdated: row.result_current === false });
}

export function scanLocation(id: string): string {
  return `/api/v1/scans/${id}`;
}
