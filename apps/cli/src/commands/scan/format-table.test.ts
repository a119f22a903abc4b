import { describe, expect, it } from "vitest";
import { formatTable } from "./format-table.js";
import { debianImageReport, lockfileImageReport, mixedReport } from "./report.fixture.js";
import { formatJson } from "./scan-report.js";

describe("formatTable", () => {
  const table = formatTable(mixedReport, false);
  const lines = table.split("\n");

  it("heads an image with its distribution and digest, and groups its findings by severity with their layers", () => {
    const at = lines.findIndex((line) => line.startsWith("127.0.0.1:5000/shop/api@sha256:0123 "));
    expect(lines[at]).toBe(`127.0.0.1:5000/shop/api@sha256:0123 (image: debian 12, sha256:${"d".repeat(64)}) — 2 finding(s)`);
    expect(lines.slice(at + 1, at + 5)).toEqual([
      "  HIGH (1)",
      "    12/openssl@3.0.11-1~deb12u1  DSA-5678-1  openssl flaw (fixed in 3.0.13-1~deb12u1) [layer sha256:bbbbbbbbbbbb]",
      "  MEDIUM (1)",
      "    lodash@4.17.20  GHSA-35jh-r3h4-6jhm  Command injection in lodash (no fix) [layer sha256:aaaaaaaaaaaa]",
    ]);
  });

  it("shows a refused image with the server's code, and counts files and images apart", () => {
    expect(table).toContain(
      "registry.evil.example/app:1 (image) — error: POST /api/v1/scans: 422 image_registry_not_allowed: Registry registry.evil.example",
    );
    expect(lines.at(-2)).toBe("1 file(s) and 2 image(s) scanned, 3 finding(s): 0 critical, 1 high, 2 medium, 0 low, 0 unknown");
    expect(table).not.toContain("\u001b[");
  });

  it("says when an image has no os-release", () => {
    const image = { ...debianImageReport, findings: [], image: { ...debianImageReport.image!, os: null } };
    const text = formatTable({ root: "/", labels: {}, files: [image] }, false);
    expect(text).toContain(`(image: no os-release, sha256:${"d".repeat(64)}) — no findings`);
    expect(text).toContain("1 image(s) scanned, 0 finding(s)");
  });

  it("names beside the package the lockfile inside the image that lists it, and only then", () => {
    const text = formatTable({ root: "/", labels: {}, files: [lockfileImageReport, debianImageReport] }, false);
    expect(text).toContain(
      "    rack@2.2.3 in /app/Gemfile.lock  GHSA-22h5-pq3x-2gf2  Denial of service in rack (fixed in 2.2.6.2) [layer sha256:aaaaaaaaaaaa]",
    );
    expect(text).toContain("    12/openssl@3.0.11-1~deb12u1  DSA-5678-1  ");
    expect(text.match(/ in \//g)).toHaveLength(1);
  });
});

describe("formatJson", () => {
  it("gives an image target its image block beside its scan, summary and findings", () => {
    const json = JSON.parse(formatJson(mixedReport));
    expect(json.summary).toEqual({ critical: 0, high: 1, medium: 2, low: 0, unknown: 0, total: 3 });
    const [, image, refused] = json.files;
    expect(image).toMatchObject({
      path: "127.0.0.1:5000/shop/api@sha256:0123",
      kind: "image",
      scan_type: "image",
      scan_id: debianImageReport.scanId,
      image: debianImageReport.image,
      summary: { high: 1, medium: 1, total: 2 },
    });
    expect(image.findings.map((f: { layer: string }) => f.layer)).toEqual(debianImageReport.findings.map((f) => f.layer));
    expect(refused).toMatchObject({ kind: "image", scan_id: null, error: expect.stringContaining("image_registry_not_allowed") });
    expect(refused).not.toHaveProperty("image");
  });

  it("passes an image finding's lockfile through as the API returns it", () => {
    const json = JSON.parse(formatJson({ root: "/", labels: {}, files: [lockfileImageReport, debianImageReport] }));
    expect(json.files[0].findings[0]).toEqual(lockfileImageReport.findings[0]);
    expect(json.files[0].findings[0].file).toBe("/app/Gemfile.lock");
    expect(json.files[1].findings[0]).not.toHaveProperty("file");
  });
});
