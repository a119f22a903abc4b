import type { ApiFinding } from "./scan-client.js";
import { type ScanReport, type Severity, type TargetReport, severityOf } from "./scan-report.js";

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

/** Where a result points, what it says, and what identifies it across runs. */
interface Placement {
  message: string;
  locations: object[];
  fingerprint: string;
  properties?: Record<string, unknown>;
}

type Rule = ReturnType<typeof ruleOf>;

const affectedBy = (finding: ApiFinding, rule: Rule) =>
  `is affected by ${rule.id}: ${finding.summary ?? ""}${finding.fixed_in ? ` (fixed in ${finding.fixed_in})` : ""}`;

/** A secret: at its line and column in the file that holds it. */
function placeSecret(file: TargetReport, finding: ApiFinding, rule: Rule): Placement {
  const uri = typeof finding.path === "string" ? finding.path : file.path;
  const region = { startLine: Math.max(1, finding.line ?? 1), startColumn: Math.max(1, finding.column ?? 1) };
  return {
    message: `${rule.shortDescription.text}: ${finding.redacted ?? "(redacted)"}`,
    locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: "%SRCROOT%" }, region } }],
    fingerprint: `${rule.id}:${uri}:${region.startLine}`,
  };
}

/** A package of a lockfile or SBOM: at the line of the package in it. */
function placeFilePackage(file: TargetReport, finding: ApiFinding, rule: Rule): Placement {
  const region = { startLine: packageLine(file.text ?? "", finding.package ?? "", finding.version) };
  return {
    message: `${finding.package}@${finding.version} ${affectedBy(finding, rule)}`,
    locations: [{ physicalLocation: { artifactLocation: { uri: file.path, uriBaseId: "%SRCROOT%" }, region } }],
    fingerprint: `${rule.id}:${file.path}:${finding.package}@${finding.version}`,
  };
}

/**
 * An image's reference (or archive path) as a URI reference: each path segment percent-encoded, since a registry's
 * port (`127.0.0.1:5000/app`) or a digest (`app@sha256:…`) would otherwise put a `:` where a URI reads a scheme.
 */
export function imageUri(target: string): string {
  return target.split("/").map(encodeURIComponent).join("/");
}

/**
 * A package of an image: the image is the artifact, or for a package only a lockfile in the image lists, that
 * lockfile under the image (`…/shop%3A1.4.2/app/Gemfile.lock`). Neither has lines the CLI can read (GitHub code
 * scanning wants a `startLine`, so line 1); the package is a logical location, and the layer that brought it in is
 * named in the message and properties.
 */
function placeImagePackage(file: TargetReport, finding: ApiFinding, rule: Rule): Placement {
  const packageName = `${finding.package}@${finding.version}`;
  const layer = finding.layer === undefined ? "" : ` (layer ${finding.layer})`;
  const lockfile = finding.file === undefined ? "" : `${finding.file} of `;
  const uri = imageUri(file.path) + (finding.file === undefined ? "" : imageUri(finding.file.replace(/^\/*/, "/")));
  return {
    message: `${packageName} in ${lockfile}${file.path}${layer} ${affectedBy(finding, rule)}`,
    locations: [
      {
        physicalLocation: { artifactLocation: { uri }, region: { startLine: 1 } },
        logicalLocations: [{ name: finding.package ?? "", fullyQualifiedName: `${finding.ecosystem ?? "unknown"}/${packageName}` }],
      },
    ],
    fingerprint: `${rule.id}:${file.path}:${packageName}`,
    properties: {
      image: file.path,
      "image-digest": file.image?.digest,
      ecosystem: finding.ecosystem,
      package: finding.package,
      version: finding.version,
      layer: finding.layer,
      ...(finding.file !== undefined && { file: finding.file }),
    },
  };
}

function placementOf(file: TargetReport, finding: ApiFinding, rule: Rule): Placement {
  if (finding.rule_id !== undefined) return placeSecret(file, finding, rule);
  return file.kind === "image" ? placeImagePackage(file, finding, rule) : placeFilePackage(file, finding, rule);
}

/** The report as a SARIF 2.1.0 log: one rule per advisory or secret rule, one result per finding, located in its target. */
export function formatSarif(report: ScanReport, version: string): string {
  const rules: Rule[] = [];
  const ruleIndex = new Map<string, number>();
  const results = report.files.flatMap((file) =>
    file.findings.map((finding) => {
      const rule = ruleOf(finding);
      let index = ruleIndex.get(rule.id);
      if (index === undefined) {
        index = rules.push(rule) - 1;
        ruleIndex.set(rule.id, index);
      }
      const placement = placementOf(file, finding, rule);
      return {
        ruleId: rule.id,
        ruleIndex: index,
        level: LEVEL[severityOf(finding)],
        message: { text: placement.message },
        locations: placement.locations,
        partialFingerprints: { "secapi/v1": placement.fingerprint },
        ...(placement.properties !== undefined && { properties: placement.properties }),
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
