import { describe, expect, it } from "vitest";
import { orderedFinding, orderedSummary } from "./scan-result.js";

// As Postgres's jsonb hands them back: shortest keys first.
const fromJsonb = <T extends object>(value: T): T =>
  Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.length - b.length || (a < b ? -1 : 1))) as T;

describe("orderedSummary", () => {
  it("puts the keys in the order critical, high, medium, low, unknown, total, then any other", () => {
    const summary = fromJsonb({ critical: 1, high: 2, medium: 3, low: 4, unknown: 5, total: 15, extra: 0 });
    expect(Object.keys(summary)).not.toEqual(["critical", "high", "medium", "low", "unknown", "total", "extra"]);
    expect(Object.keys(orderedSummary(summary))).toEqual(["critical", "high", "medium", "low", "unknown", "total", "extra"]);
    expect(orderedSummary(summary)).toEqual(summary);
    expect(orderedSummary(null)).toBeNull();
  });
});

describe("orderedFinding", () => {
  it("orders a vulnerability finding (and its cvss) as the type declares it, other fields last", () => {
    const finding = {
      id: "GHSA-1",
      aliases: ["CVE-1"],
      ecosystem: "npm",
      package: "lodash",
      version: "4.17.20",
      severity: "high",
      summary: "s",
      fixed_in: "4.17.21",
      cvss: { version: "3.1", vector: "CVSS:3.1/AV:N", score: 7.5 },
      cwes: ["CWE-1"],
      published: null,
      references: [],
      direct: true,
      path: ["lodash"],
      layer: "sha256:abc",
    };
    const ordered = orderedFinding(fromJsonb({ ...finding, cvss: fromJsonb(finding.cvss) }));
    expect(Object.keys(ordered)).toEqual(Object.keys(finding));
    expect(Object.keys(ordered.cvss)).toEqual(["version", "vector", "score"]);
    expect(ordered).toEqual(finding);
  });

  it("orders a secret finding as the type declares it", () => {
    const finding = {
      rule_id: "r",
      description: "d",
      path: ".env",
      line: 1,
      column: 2,
      severity: "critical",
      redacted: "x",
      fingerprint: "f",
    };
    expect(Object.keys(orderedFinding(fromJsonb(finding)))).toEqual(Object.keys(finding));
  });
});
