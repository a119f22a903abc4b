import type { ScanReport, TargetReport } from "./scan-report.js";

const BASE_LAYER = `sha256:${"b".repeat(64)}`;
const APP_LAYER = `sha256:${"a".repeat(64)}`;

/** A finished image scan as the report holds it: a Debian 12 image pulled from a registry on a port, two findings. */
export const debianImageReport: TargetReport = {
  path: "127.0.0.1:5000/shop/api@sha256:0123",
  kind: "image",
  scanType: "image",
  scanId: "5b0c5d6e-0000-4000-8000-000000000001",
  image: {
    digest: `sha256:${"d".repeat(64)}`,
    os: { family: "debian", version: "12" },
    layers: [
      { digest: BASE_LAYER, index: 0, packages: 2 },
      { digest: APP_LAYER, index: 1, packages: 1 },
    ],
  },
  findings: [
    {
      id: "DSA-5678-1",
      aliases: ["CVE-2024-0001"],
      ecosystem: "Debian",
      package: "12/openssl",
      version: "3.0.11-1~deb12u1",
      severity: "high",
      summary: "openssl flaw",
      fixed_in: "3.0.13-1~deb12u1",
      layer: BASE_LAYER,
    },
    {
      id: "GHSA-35jh-r3h4-6jhm",
      ecosystem: "npm",
      package: "lodash",
      version: "4.17.20",
      severity: "medium",
      summary: "Command injection in lodash",
      fixed_in: null,
      layer: APP_LAYER,
    },
  ],
};

/** A run over one lockfile and one image, the other failed at submission. */
export const mixedReport: ScanReport = {
  root: "/work/project",
  labels: { project: "shop", ref: "main" },
  files: [
    {
      path: "package-lock.json",
      kind: "lockfile",
      scanType: "dependencies",
      scanId: "5b0c5d6e-0000-4000-8000-000000000002",
      text: '{\n  "packages": {\n    "node_modules/lodash": {\n      "version": "4.17.20"\n    }\n  }\n}\n',
      findings: [{ ...(debianImageReport.findings[1] ?? { severity: "low" }), layer: undefined }],
    },
    debianImageReport,
    {
      path: "registry.evil.example/app:1",
      kind: "image",
      scanType: "image",
      findings: [],
      error: "POST /api/v1/scans: 422 image_registry_not_allowed: Registry registry.evil.example is not one an image may be pulled from",
    },
  ],
};

/** An image whose vulnerable gem only its application's lockfile lists: the finding names that lockfile. */
export const lockfileImageReport: TargetReport = {
  path: "ghcr.io/acme/shop:1.4.2",
  kind: "image",
  scanType: "image",
  scanId: "5b0c5d6e-0000-4000-8000-000000000003",
  image: {
    digest: `sha256:${"e".repeat(64)}`,
    os: { family: "debian", version: "12" },
    layers: [{ digest: APP_LAYER, index: 0, packages: 1 }],
  },
  findings: [
    {
      id: "GHSA-22h5-pq3x-2gf2",
      ecosystem: "RubyGems",
      package: "rack",
      version: "2.2.3",
      severity: "high",
      summary: "Denial of service in rack",
      fixed_in: "2.2.6.2",
      layer: APP_LAYER,
      file: "/app/Gemfile.lock",
    },
  ],
};
