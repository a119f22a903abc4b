import { summarize } from "../scan-result.js";
import type { ScanResult, SecretFinding } from "../scan-result.js";
import { hasAllowComment } from "./allow-comment.js";
import { shannonEntropy } from "./entropy.js";
import { fingerprint } from "./fingerprint.js";
import { LineIndex } from "./line-index.js";
import { isPlaceholder } from "./placeholder.js";
import { redact } from "./redact.js";
import { keepMostSpecific } from "./resolve-overlaps.js";
import type { SecretMatch } from "./resolve-overlaps.js";
import { SECRET_RULES } from "./rules.js";
import type { SecretRule } from "./secret-rule.js";
import type { SecretsInput } from "./secrets-input.js";

// Compiled once: global for matchAll (which clones it, so no lastIndex is shared between scans)
// and with indices, to locate the secret group inside the match.
const COMPILED_RULES = SECRET_RULES.map((rule) => ({
  rule,
  regex: new RegExp(rule.regex.source, [...new Set(`${rule.regex.flags}gd`)].join("")),
}));

// How much of a secret's line, on each side, placeholder and allow-comment checks look at.
const LINE_CONTEXT = 1024;

/** Finds credentials in the given files; one finding per secret, sorted by path, line, column. */
export function scanSecrets(input: SecretsInput): ScanResult<SecretFinding> {
  const findings: SecretFinding[] = [];
  for (const file of input.files) {
    for (const finding of scanFile(file.path, file.content)) findings.push(finding);
  }
  findings.sort(byLocation);
  return { summary: summarize(findings), findings };
}

function scanFile(path: string, content: string): SecretFinding[] {
  if (content.length === 0) return [];
  const lowerCased = content.toLowerCase();
  let lineIndex: LineIndex | undefined;
  const lines = (): LineIndex => (lineIndex ??= new LineIndex(content));

  const matches: SecretMatch[] = [];
  for (const { rule, regex } of COMPILED_RULES) {
    if (!rule.keywords.some((keyword) => lowerCased.includes(keyword))) continue;
    for (const found of content.matchAll(regex)) {
      const span = found.indices?.[rule.secretGroup ?? 0];
      if (span === undefined) continue;
      const [start, end] = span;
      const secret = content.slice(start, end);
      if (!passesRule(rule, secret)) continue;
      const line = lines().lineAround(start, end, LINE_CONTEXT);
      if (!isPlaceholder(secret, line) && !hasAllowComment(line)) matches.push({ rule, start, end, secret });
    }
  }
  if (matches.length === 0) return [];

  return keepMostSpecific(matches).map(({ rule, start, secret }) => ({
    rule_id: rule.id,
    description: rule.description,
    path,
    ...lines().position(start),
    severity: rule.severity,
    redacted: redact(secret),
    fingerprint: fingerprint(rule.id, path, secret),
  }));
}

function passesRule(rule: SecretRule, secret: string): boolean {
  if (rule.minEntropy !== undefined && shannonEntropy(secret) < rule.minEntropy) return false;
  return !(rule.ignore?.(secret) ?? false);
}

function byLocation(a: SecretFinding, b: SecretFinding): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  return a.line - b.line || a.column - b.column || (a.rule_id < b.rule_id ? -1 : a.rule_id > b.rule_id ? 1 : 0);
}
