import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, TestRegistry, missingRegistryTools, uniqueId } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScanRun, runSecapiScan, validateSarif } from "./ci-client-run.js";
import { DEBIAN_12_OS_RELEASE, dpkgStatus, gzip, sha256, tarBytes } from "./image-archive.js";
import { Stack } from "./stack.js";

// `secapi scan --image REF` and `--image-archive FILE` (docs/CI.md "Container images") against the real processes: an image
// pushed to a registry of the test's own (allowed, plain HTTP), pulled by the scan-worker, and its `docker save`
// archive (written by skopeo) uploaded by the CLI.

const missingTools = missingRegistryTools();

let registry: TestRegistry;
let stack: Stack;
let user: { id: string; api_key: string };
let dir: string;
let reference: string;
let manifestDigest: string;
let archive: string;
let baseLayer: string;
const advisory = uniqueId("DSA-OPENSSL-CI");
const project = uniqueId("ci-image");

const scan = (...args: string[]): Promise<ScanRun> => runSecapiScan({ url: stack.apiUrl, key: user.api_key }, args);

/** A Debian 12 image: a vulnerable openssl in the base layer, an app layer on top; pushed, then saved as an archive. */
async function pushDebianImage(): Promise<void> {
  const baseTar = await tarBytes([
    { path: "etc/os-release", content: DEBIAN_12_OS_RELEASE },
    { path: "var/lib/dpkg/status", content: dpkgStatus([{ name: "libssl3", source: "openssl", version: "3.0.11-1~deb12u1" }]) },
  ]);
  const base = gzip(baseTar);
  baseLayer = sha256(base);
  const files = [join(dir, "base.tar.gz"), join(dir, "app.tar.gz")];
  writeFileSync(files[0] ?? "", base);
  writeFileSync(files[1] ?? "", gzip(await tarBytes([{ path: "app/VERSION", content: project }])));
  const repository = `ci/${project.toLowerCase()}`;
  manifestDigest = await registry.pushLayers(repository, "1", files);
  reference = `${registry.host}/${repository}:1`;
  archive = join(dir, "app-image.tar");
  await registry.saveArchive(`${repository}:1`, archive);
}

beforeAll(async () => {
  if (missingTools !== undefined) return;
  dir = mkdtempSync(join(tmpdir(), "secapi-ci-image-"));
  registry = await TestRegistry.start();
  stack = await Stack.create({ IMAGE_REGISTRIES: `docker.io,${registry.host}`, IMAGE_REGISTRY_INSECURE: registry.host });
  await stack.startApi();
  await stack.startScanWorker();
  const advisories = join(dir, "advisories.json");
  writeFileSync(
    advisories,
    JSON.stringify([
      {
        id: advisory,
        modified: new Date().toISOString(),
        summary: "openssl flaw",
        database_specific: { severity: "HIGH" },
        affected: [
          {
            package: { ecosystem: "Debian:12", name: "openssl" },
            ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "3.0.13-1~deb12u1" }] }],
          },
        ],
      },
    ]),
  );
  await stack.cli("advisories", "import", advisories, "--json");
  user = await stack.createUser("pro");
  await pushDebianImage();
});
afterAll(async () => {
  await stack?.close();
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(missingTools !== undefined)("secapi scan of container images", () => {
  it("scans an image by reference: a table headed by its OS and digest, exit 1 at --fail-on high, 0 at critical", async () => {
    const result = await scan("--image", reference, "--fail-on", "high", "--label", `project=${project}`);
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`${reference} (image: debian 12, ${manifestDigest}) — 1 finding(s)`);
    expect(lines[1]).toBe("  HIGH (1)");
    expect(lines[2]).toMatch(
      new RegExp(`^ {4}12/openssl@3\\.0\\.11-1~deb12u1 +${advisory} +openssl flaw \\(fixed in 3\\.0\\.13-1~deb12u1\\)`),
    );
    expect(lines[2]).toContain(`[layer ${baseLayer.slice(0, "sha256:".length + 12)}]`);
    expect(result.stdout).toContain("1 image(s) scanned, 1 finding(s)");

    const critical = await scan("--image", reference, "--fail-on", "critical");
    expect(critical.code, critical.stderr).toBe(0);
    // An image-only run does not walk the working directory.
    expect(critical.stdout).not.toContain("(dependencies)");

    const listed = await stack.request("GET", `/api/v1/scans?label.project=${project}`, user.api_key);
    expect(listed.body.items.map((item: { type: string }) => item.type)).toEqual(["image"]);
  });

  it("reports an image in JSON with its image block and each finding's layer", async () => {
    const result = await scan("--image", reference, "--format", "json");
    expect(result.code, result.stderr).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report.summary).toMatchObject({ high: 1, total: 1 });
    expect(report.files).toHaveLength(1);
    const [image] = report.files;
    expect(image).toMatchObject({ path: reference, kind: "image", scan_type: "image", summary: { high: 1, total: 1 } });
    expect(image.scan_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(image.image).toMatchObject({ digest: manifestDigest, os: { family: "debian", version: "12" } });
    expect(image.image.layers).toHaveLength(2);
    expect(image.findings.map((f: { id: string; layer: string }) => [f.id, f.layer])).toEqual([[advisory, baseLayer]]);
  });

  it("writes SARIF the official schema accepts, locating each finding at the image with its package and layer", async () => {
    const result = await scan("--image", reference, "--format", "sarif");
    expect(result.code, result.stderr).toBe(1);
    const log = JSON.parse(result.stdout);
    const { valid, errors } = validateSarif(log);
    expect(valid, errors).toBe(true);
    const [finding] = log.runs[0].results;
    expect(finding.ruleId).toBe(advisory);
    expect(finding.level).toBe("error");
    expect(finding.locations[0].physicalLocation.artifactLocation.uri).toBe(reference.split("/").map(encodeURIComponent).join("/"));
    expect(finding.locations[0].logicalLocations).toEqual([
      { name: "12/openssl", fullyQualifiedName: "Debian/12/openssl@3.0.11-1~deb12u1" },
    ]);
    expect(finding.properties).toMatchObject({ image: reference, "image-digest": manifestDigest, layer: baseLayer });
    expect(finding.message.text).toContain(baseLayer);
  });

  it("uploads a docker save archive, beside a project's lockfile when --type asks for both", async () => {
    const workspace = mkdtempSync(join(tmpdir(), "secapi-ci-image-project-"));
    try {
      cpSync(`${REPO_ROOT}packages/scanners/test/fixtures/lockfiles/npm-v3.package-lock.json`, join(workspace, "package-lock.json"));
      const label = uniqueId("archive");
      const result = await scan(workspace, "--type", "dependencies", "--image-archive", archive, "--label", `project=${label}`);
      expect(result.code, result.stderr).toBe(1);
      expect(result.stdout).toContain("package-lock.json (dependencies)");
      expect(result.stdout).toMatch(new RegExp(`^${archive} \\(image: debian 12, sha256:[0-9a-f]{64}\\) — 1 finding\\(s\\)$`, "m"));
      expect(result.stdout).toContain(`12/openssl@3.0.11-1~deb12u1  ${advisory}`);
      expect(result.stdout).toMatch(/1 file\(s\) and 1 image\(s\) scanned/);

      // The labels travel in the upload's query.
      const listed = await stack.request("GET", `/api/v1/scans?label.project=${label}`, user.api_key);
      expect(listed.body.items.map((item: { type: string }) => item.type).sort()).toEqual(["dependencies", "image"]);

      // The same archive again: answered from the stored result.
      const json = JSON.parse((await scan("--image-archive", archive, "--format", "json")).stdout);
      expect(json.files[0].findings.map((f: { id: string }) => f.id)).toEqual([advisory]);
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });

  it("exits 2 with the server's error code for a registry not allowed or an image not found, and on usage errors", async () => {
    const notAllowed = await scan("--image", "registry.evil.example/app:1");
    expect(notAllowed.code).toBe(2);
    expect(notAllowed.stdout).toContain("registry.evil.example/app:1 (image) — error:");
    expect(notAllowed.stderr).toMatch(/error: registry\.evil\.example\/app:1: POST \/api\/v1\/scans: 422 image_registry_not_allowed: /);

    const missing = await scan("--image", reference.replace(/:1$/, ":nope"), "--format", "json");
    expect(missing.code).toBe(2);
    // Refused at submission: the registry has no such tag.
    expect(JSON.parse(missing.stdout).files[0].error).toMatch(/: 422 image_not_found: /);
    expect(missing.stderr).toContain("image_not_found");

    const noImage = await scan("--type", "image");
    expect(noImage.code).toBe(2);
    expect(noImage.stderr).toContain("--type image needs the image");
    expect((await scan("--image-archive", join(dir, "absent.tar"))).code).toBe(2);
  });
});
