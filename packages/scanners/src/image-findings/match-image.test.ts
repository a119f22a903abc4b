import { describe, expect, it } from "vitest";
import { parseAdvisory } from "../dependencies/parse-advisory.js";
import { runScan } from "../run-scan.js";
import { type AnalysedImage, matchImage } from "./match-image.js";

const BASE = `sha256:${"a".repeat(64)}`;
const APP = `sha256:${"b".repeat(64)}`;

const image: AnalysedImage = {
  digest: `sha256:${"c".repeat(64)}`,
  os: { family: "debian", version: "12" },
  layers: [
    { digest: BASE, index: 0 },
    { digest: APP, index: 1 },
  ],
  packages: [
    { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u1", layer: BASE },
    { ecosystem: "Debian", name: "12/zlib1g", version: "1:1.2.13.dfsg-1", layer: BASE },
    { ecosystem: "npm", name: "lodash", version: "4.17.20", layer: APP },
  ],
  unchecked: [],
};

const advisories = [
  parseAdvisory({
    id: "DSA-TEST-1",
    modified: "2024-01-01T00:00:00Z",
    summary: "openssl flaw",
    affected: [
      {
        package: { ecosystem: "Debian:12", name: "openssl" },
        ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.13-1~deb12u1" }] }],
      },
    ],
  }),
  parseAdvisory({
    id: "GHSA-test-lodash",
    modified: "2024-01-01T00:00:00Z",
    summary: "lodash flaw",
    affected: [
      { package: { ecosystem: "npm", name: "lodash" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed: "4.17.21" }] }] },
    ],
  }),
];

describe("matchImage", () => {
  it("matches OS and language packages and names the layer that introduced each", () => {
    const { result, tags } = matchImage(image, advisories);
    expect(result.findings.map((f) => [f.id, f.package, f.fixed_in, f.layer])).toEqual([
      ["DSA-TEST-1", "12/openssl", "3.0.13-1~deb12u1", BASE],
      ["GHSA-test-lodash", "lodash", "4.17.21", APP],
    ]);
    expect(result.summary.total).toBe(2);
    expect(result.packages).toBe(3);
    expect(result.image).toEqual({
      digest: image.digest,
      os: { family: "debian", version: "12" },
      layers: [
        { digest: BASE, index: 0, packages: 2 },
        { digest: APP, index: 1, packages: 1 },
      ],
    });
    // Every package found is a tag, vulnerable or not: an advisory for zlib1g later makes this result stale.
    expect(tags).toEqual(["pkg:Debian/12/openssl", "pkg:Debian/12/zlib1g", "pkg:npm/lodash"]);
  });

  it("names the lockfile a package was read from on its findings, and no file for installed packages", () => {
    const withLockfile: AnalysedImage = {
      ...image,
      packages: [
        { ecosystem: "npm", name: "lodash", version: "4.17.20", layer: APP, file: "/app/package-lock.json" },
        { ecosystem: "Debian", name: "12/openssl", version: "3.0.11-1~deb12u1", layer: BASE },
      ],
    };
    const { result } = matchImage(withLockfile, advisories);
    expect(result.findings.map((f) => [f.id, f.layer, f.file])).toEqual([
      ["DSA-TEST-1", BASE, undefined],
      ["GHSA-test-lodash", APP, "/app/package-lock.json"],
    ]);
    expect(result.findings[0]).not.toHaveProperty("file");
  });

  it("runs as the image engine, refusing what is not an analysed image", () => {
    expect(runScan({ engine: "image", input: image, advisories }).status).toBe("completed");
    expect(runScan({ engine: "image", input: { packages: [] }, advisories })).toMatchObject({ status: "failed", code: "invalid_input" });
  });
});
