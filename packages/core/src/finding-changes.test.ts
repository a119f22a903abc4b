import { describe, expect, it } from "vitest";
import { diffFindings, findingIdentity, findingRef } from "./finding-changes.js";

const finding = (id: string, version: string, extra: Record<string, unknown> = {}) => ({
  id,
  aliases: [],
  ecosystem: "npm",
  package: "lodash",
  version,
  severity: "high",
  summary: "s",
  fixed_in: null,
  cwes: [],
  published: null,
  references: [],
  ...extra,
});
const result = (...findings: unknown[]) => ({ summary: {}, findings });

describe("findings changes", () => {
  it("compares by advisory, package, version and path, not by severity or text", () => {
    const before = result(finding("GHSA-a", "4.17.20"), finding("GHSA-b", "4.17.20", { path: ["app", "lodash"] }));
    const after = result(
      finding("GHSA-a", "4.17.20", { severity: "critical", summary: "reworded" }),
      finding("GHSA-b", "4.17.20", { path: ["app", "other", "lodash"] }),
      finding("GHSA-c", "4.17.20"),
    );
    const { added, removed } = diffFindings(before, after);
    expect(added.map((f) => `${f.id} ${f.path?.join(">") ?? ""}`)).toEqual(["GHSA-b app>other>lodash", "GHSA-c "]);
    expect(removed).toEqual([
      { id: "GHSA-b", ecosystem: "npm", package: "lodash", version: "4.17.20", severity: "high", path: ["app", "lodash"] },
    ]);
  });

  it("reports nothing for equal findings in another order, and ignores findings that are not vulnerabilities", () => {
    const a = finding("GHSA-a", "1.0.0");
    const b = finding("GHSA-b", "1.0.0");
    const secret = { rule_id: "aws-key", path: "x", line: 1, column: 1, severity: "high", redacted: "AKIA****", fingerprint: "f" };
    expect(diffFindings(result(a, b, secret), result(b, a))).toEqual({ added: [], removed: [] });
    expect(findingRef(secret)).toBeUndefined();
    expect(diffFindings(null, result(a)).added).toHaveLength(1);
  });

  it("one identity per finding, whatever the field order", () => {
    const ref = findingRef(finding("GHSA-a", "1.0.0"))!;
    expect(findingIdentity(ref)).toBe(
      findingIdentity({ version: "1.0.0", package: "lodash", id: "GHSA-a", ecosystem: "npm", severity: "low" }),
    );
  });
});
