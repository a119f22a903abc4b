import type { ApiFinding } from "./scan-client.js";
import { type ScanReport, type Severity, severityOf } from "./scan-report.js";

const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";

/** SARIF levels: what code-scanning dashboards sort and gate by. */
const LEVEL: Record<Severity, "error" | "warning" | "note"> = {
  critical: "error",
  high: "error",
  medium: "warning",
  low: "note",
  unknown: "note",
};
/** GitHub code scanning's `security-severity` (a CVSS-like score) for each severity. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0", unknown: "0.0" };

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The 1-based line of a package in a lockfile or SBOM text: the first line naming it (as a whole name) with its
 * version on that line or one of the next three (package-lock's `"node_modules/x": {` then `"version"`, yarn's
 * `x@^1:` then `version`), else the first line naming it, else 1. PyPI names compare as PEP 503 normalises them.
 */
export function packageLine(text: string, name: string, version: string | undefined): number {
  const lines = text.split(/\r?\n/);
  const namePattern = escapeRegExp(name).replace(/(?:\\\.|[-_])/g, "[-_.]");
  const nameRegex = new RegExp(`(?:^|[\\s"'/@:(])${namePattern}(?=$|[\\s"'@=<>~!:;,\\[/)]|\\\\)`, "i");
  const candidates = lines.flatMap((line, index) => (nameRegex.test(line) ? [index] : []));
  if (version) {
    const found = candidates.find((index) => lines.slice(index, index + 4).some((line) => line.includes(version)));
    if (found !== undefined) return found + 1;
  }
  return (candidates[0] ?? 0) + 1;
}

function ruleOf(finding: ApiFinding) {
  const severity = severityOf(finding);
  if (finding.rule_id !== undefined) {
    const text = finding.description ?? finding.rule_id;
    return {
      id: finding.rule_id,
      name: finding.rule_id,
      shortDescription: { text },
      fullDescription: { text },
      help: { text: `A secret matching ${finding.rule_id} was found. Revoke it, then remove it from the repository.` },
      defaultConfiguration: { level: LEVEL[severity] },
      properties: { tags: ["security", "secret"], "security-severity": SECURITY_SEVERITY[severity] },
    };
  }
  const id = finding.id ?? "unknown";
  const summary = finding.summary || id;
  const helpUri = `https://osv.dev/vulnerability/${encodeURIComponent(id)}`;
  return {
    id,
    name: id,
    shortDescription: { text: summary },
    fullDescription: { text: [summary, ...(finding.aliases?.length ? [`Aliases: ${finding.aliases.join(", ")}`] : [])].join(". ") },
    helpUri,
    help: {
      text: `${summary}. ${finding.fixed_in ? `Upgrade ${finding.package} to ${finding.fixed_in} or later.` : "No fixed version is known."} See ${helpUri}`,
    },
    defaultConfiguration: { level: LEVEL[severity] },
    properties: {
      tags: ["security", "vulnerability", finding.ecosystem ?? "dependency"],
      "security-severity": SECURITY_SEVERITY[severity],
    },
  };
}

/** The report as a SARIF 2.1.0 log: one rule per advisory or secret rule, one result per finding, located in its file. */
export function formatSarif(report: ScanReport, version: string): string {
  const rules: ReturnType<typeof ruleOf>[] = [];
  const ruleIndex = new Map<string, number>();
  const results = report.files.flatMap((file) =>
    file.findings.map((finding) => {
      const rule = ruleOf(finding);
      let index = ruleIndex.get(rule.id);
      if (index === undefined) {
        index = rules.push(rule) - 1;
        ruleIndex.set(rule.id, index);
      }
      const secret = finding.rule_id !== undefined;
      const region = secret
        ? { startLine: Math.max(1, finding.line ?? 1), startColumn: Math.max(1, finding.column ?? 1) }
        : { startLine: packageLine(file.text, finding.package ?? "", finding.version) };
      const message = secret
        ? `${rule.shortDescription.text}: ${finding.redacted ?? "(redacted)"}`
        : `${finding.package}@${finding.version} is affected by ${rule.id}: ${finding.summary ?? ""}${finding.fixed_in ? ` (fixed in ${finding.fixed_in})` : ""}`;
      const uri = secret && typeof finding.path === "string" ? finding.path : file.path;
      return {
        ruleId: rule.id,
        ruleIndex: index,
        level: LEVEL[severityOf(finding)],
        message: { text: message },
        locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: "%SRCROOT%" }, region } }],
        partialFingerprints: {
          "secapi/v1": secret ? `${rule.id}:${uri}:${region.startLine}` : `${rule.id}:${file.path}:${finding.package}@${finding.version}`,
        },
      };
    }),
  );
  const log = {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: { driver: { name: "secapi", informationUri: "https://osv.dev", semanticVersion: version, version, rules } },
        automationDetails: report.labels.project ? { id: `secapi/${report.labels.project}/` } : undefined,
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
