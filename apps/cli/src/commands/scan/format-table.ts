import { createColors } from "picocolors";
import type { ApiFinding, ApiImage } from "./scan-client.js";
import { SEVERITY_ORDER, type ScanReport, type Severity, type TargetReport, severityOf, summarize } from "./scan-report.js";

/** A digest shortened as `docker images` shows ids: enough to tell layers apart on one line. */
const shortDigest = (digest: string) => digest.replace(/^(sha256:[0-9a-f]{12})[0-9a-f]+$/, "$1");

/** One line of a finding: the package (and the image's lockfile listing it) and advisory, or the secret's rule and position. */
function describe(finding: ApiFinding): string[] {
  if (finding.rule_id !== undefined) {
    return [`line ${finding.line ?? "?"}:${finding.column ?? "?"}`, finding.rule_id, finding.redacted ?? finding.description ?? ""];
  }
  const fix = finding.fixed_in ? `fixed in ${finding.fixed_in}` : "no fix";
  const layer = finding.layer === undefined ? "" : ` [layer ${shortDigest(finding.layer)}]`;
  const file = finding.file === undefined ? "" : ` in ${finding.file}`;
  return [`${finding.package ?? "?"}@${finding.version ?? "?"}${file}`, finding.id ?? "?", `${finding.summary ?? ""} (${fix})${layer}`];
}

/** What the header names besides the target: the scan type, and for an image its distribution and digest. */
function scanned(file: TargetReport): string {
  const image: ApiImage | undefined = file.image;
  if (image === undefined) return file.scanType;
  const os = image.os === null ? "no os-release" : `${image.os.family} ${image.os.version}`;
  return `${file.scanType}: ${os}, ${image.digest}`;
}

/** `3 file(s) and 1 image(s) scanned`, naming only what the run had. */
function scannedCount(files: readonly TargetReport[]): string {
  const images = files.filter((file) => file.kind === "image").length;
  const others = files.length - images;
  if (images === 0) return `${others} file(s)`;
  return others === 0 ? `${images} image(s)` : `${others} file(s) and ${images} image(s)`;
}

/** The report as a table grouped by target (file or image) and severity; colour only when `colour` (a TTY). */
export function formatTable(report: ScanReport, colour: boolean): string {
  const c = createColors(colour);
  const paint: Record<Severity, (text: string) => string> = {
    critical: (t) => c.bold(c.red(t)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    unknown: c.gray,
  };
  const lines: string[] = [];
  for (const file of report.files) {
    const counts = summarize([file]);
    const status =
      file.error !== undefined ? c.red(`error: ${file.error}`) : counts.total === 0 ? c.green("no findings") : `${counts.total} finding(s)`;
    lines.push(`${c.bold(file.path)} ${c.dim(`(${scanned(file)})`)} — ${status}`);
    for (const severity of SEVERITY_ORDER) {
      const findings = file.findings.filter((finding) => severityOf(finding) === severity);
      if (findings.length === 0) continue;
      lines.push(`  ${paint[severity](severity.toUpperCase())} (${findings.length})`);
      const rows = findings.map(describe);
      const widths = [0, 1].map((i) => Math.max(...rows.map((row) => (row[i] ?? "").length)));
      for (const row of rows)
        lines.push(`    ${(row[0] ?? "").padEnd(widths[0] ?? 0)}  ${(row[1] ?? "").padEnd(widths[1] ?? 0)}  ${row[2] ?? ""}`);
    }
  }
  const total = summarize(report.files);
  if (report.files.length === 0) lines.push("No lockfiles, SBOMs or files to scan were found.");
  lines.push("");
  lines.push(
    `${scannedCount(report.files)} scanned, ${total.total} finding(s): ` +
      SEVERITY_ORDER.map((s) => `${total[s]} ${total[s] > 0 ? paint[s](s) : s}`).join(", "),
  );
  return `${lines.join("\n")}\n`;
}
