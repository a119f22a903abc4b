import { describe, expect, it } from "vitest";
import { MAX_REFERENCES, advisoryCvss, advisoryCwes, advisoryReferences } from "./advisory-details.js";
import { osvAdvisorySchema } from "./osv-schema.js";

const osv = (fields: object) => osvAdvisorySchema.parse({ id: "TEST-1", modified: "2024-01-01T00:00:00Z", ...fields });

describe("advisory details", () => {
  it("keeps the highest-scoring CVSS vector of the advisory and its packages, skipping ones that do not score", () => {
    const advisory = osv({
      severity: [
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:N/A:N" },
        { type: "CVSS_V3", score: "CVSS:3.1/AV:N/bogus" },
      ],
      affected: [
        {
          package: { ecosystem: "npm", name: "x" },
          severity: [{ type: "CVSS_V3", score: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
        },
      ],
    });
    expect(advisoryCvss(advisory)).toEqual({
      cvss: { version: "3.0", vector: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", score: 9.8 },
    });
    expect(advisoryCvss(osv({ severity: [{ type: "Ubuntu", score: "high" }] }))).toEqual({});
  });

  it("reads CWE ids and http(s) references, de-duplicated, at most MAX_REFERENCES", () => {
    expect(advisoryCwes(osv({ database_specific: { cwe_ids: ["CWE-79", "CWE-79", "nonsense", 7] } }))).toEqual(["CWE-79"]);
    expect(advisoryCwes(osv({}))).toEqual([]);
    const references = [
      { url: "javascript:alert(1)" },
      ...Array.from({ length: 12 }, (_, i) => ({ type: "WEB", url: `https://example.com/${i % 11}` })),
    ];
    const urls = advisoryReferences(osv({ references }));
    expect(urls).toHaveLength(MAX_REFERENCES);
    expect(urls[0]).toBe("https://example.com/0");
    expect(new Set(urls).size).toBe(urls.length);
  });
});
