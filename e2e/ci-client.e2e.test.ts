import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScanRun, runSecapiScan, validateSarif } from "./ci-client-run.js";
import { Stack, awsAccessKeyId } from "./stack.js";

const run = promisify(execFile);
const FIXTURES = `${REPO_ROOT}packages/scanners/test/fixtures`;

const FREE_SCANS_PER_HOUR = 2;
const CLI_VERSION = (JSON.parse(readFileSync(`${REPO_ROOT}apps/cli/package.json`, "utf8")) as { version: string }).version;

let stack: Stack;
let user: { id: string; api_key: string };
let project: string;
const secret = awsAccessKeyId();

/** A project as CI checks it out: an npm lockfile, Python requirements, an SBOM, a planted secret, and what to skip. */
function makeProject(): string {
  const dir = mkdtempSync(join(tmpdir(), "secapi-ci-"));
  cpSync(`${FIXTURES}/lockfiles/npm-v3.package-lock.json`, join(dir, "package-lock.json"));
  mkdirSync(join(dir, "py"));
  writeFileSync(join(dir, "py", "requirements.txt"), "Django==4.2.1\nJinja2==3.1.2\nPyYAML==5.3.1\n");
  mkdirSync(join(dir, "sbom"));
  cpSync(`${FIXTURES}/sbom/npm.cyclonedx-1.5.json`, join(dir, "sbom", "app.cdx.json"));
  writeFileSync(join(dir, "deploy.env"), `REGION=eu-west-1\nAWS_ACCESS_KEY_ID=${secret}\n`);
  // Never scanned: installed dependencies, vendored trees, and what .gitignore names.
  mkdirSync(join(dir, "node_modules", "dep"), { recursive: true });
  cpSync(`${FIXTURES}/lockfiles/npm-v3.package-lock.json`, join(dir, "node_modules", "dep", "package-lock.json"));
  mkdirSync(join(dir, "build"));
  cpSync(`${FIXTURES}/lockfiles/npm-v3.package-lock.json`, join(dir, "build", "package-lock.json"));
  writeFileSync(join(dir, ".gitignore"), "build/\n");
  return dir;
}

async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-c", "user.email=ci@example.com", "-c", "user.name=CI", ...args], { cwd: dir });
  return stdout.trim();
}

const scan = (...args: string[]): Promise<ScanRun> => runSecapiScan({ url: stack.apiUrl, key: user.api_key }, args);

beforeAll(async () => {
  stack = await Stack.create();
  // Free keys here may run two scans an hour: enough to meet a real scan-quota 429.
  await stack.startApi({ TIER_LIMITS: JSON.stringify({ free: { scans_per_hour: FREE_SCANS_PER_HOUR } }) });
  await stack.startScanWorker();
  await stack.cli("advisories", "import", `${FIXTURES}/osv`, "--json");
  user = await stack.createUser("pro");
  project = makeProject();
  await git(project, "init", "-q", "-b", "main");
  await git(project, "add", "-A");
  await git(project, "commit", "-q", "-m", "fixture");
});
afterAll(async () => {
  await stack?.close();
  if (project) rmSync(project, { recursive: true, force: true });
});

describe("secapi scan, the client for CI", () => {
  it("prints a table grouped by file and severity, and exits 1 on findings", async () => {
    const result = await scan(project, "--type", "dependencies,secrets", "--label", "project=ci-e2e");
    expect(result.stderr).not.toContain("error");
    expect(result.code).toBe(1);
    const out = result.stdout;
    expect(out).toContain("package-lock.json (dependencies)");
    expect(out).toContain("py/requirements.txt (dependencies)");
    expect(out).toContain("sbom/app.cdx.json (sbom)");
    expect(out).toContain("deploy.env (secrets)");
    expect(out).toMatch(/HIGH \(\d+\)/);
    expect(out).toContain("lodash@4.17.20");
    expect(out).toContain("GHSA-35jh-r3h4-6jhm");
    expect(out).not.toContain(secret);
    expect(out).not.toContain("node_modules");
    expect(out).not.toContain("build/");
    // Not a TTY: no colour.
    expect(out).not.toContain("\u001b[");
  });

  it("labels every scan with the project, the git ref and commit: the list filters by them", async () => {
    const commit = await git(project, "rev-parse", "HEAD");
    const listed = await stack.request("GET", "/api/v1/scans?label.project=ci-e2e&limit=100", user.api_key);
    expect(listed.status).toBe(200);
    const items = listed.body.items as { type: string; labels: Record<string, string> }[];
    expect(items.map((item) => item.type).sort()).toEqual(["dependencies", "dependencies", "sbom", "secrets"]);
    for (const item of items) expect(item.labels).toEqual({ project: "ci-e2e", ref: "main", commit });
    const byCommit = await stack.request("GET", `/api/v1/scans?label.project=ci-e2e&label.commit=${commit}`, user.api_key);
    expect(byCommit.body.items).toHaveLength(4);
    const other = await stack.request("GET", "/api/v1/scans?label.project=another", user.api_key);
    expect(other.body.items).toHaveLength(0);
  });

  it("writes JSON with every file, its scan and findings, and gates on --fail-on", async () => {
    const output = join(project, "..", `${project.split("/").at(-1)}-report.json`);
    const result = await scan(project, "--format", "json", "--output", output, "--fail-on", "critical");
    const report = JSON.parse(readFileSync(output, "utf8"));
    rmSync(output, { force: true });
    expect(report.files.map((f: { path: string }) => f.path)).toEqual(["package-lock.json", "py/requirements.txt", "sbom/app.cdx.json"]);
    expect(report.labels).toMatchObject({ ref: "main" });
    expect(report.summary.total).toBeGreaterThan(0);
    for (const file of report.files) expect(file.scan_id).toMatch(/^[0-9a-f-]{36}$/);
    const pyFindings = report.files[1].findings as { package: string }[];
    expect(pyFindings.length).toBeGreaterThan(0);
    // Exit 1 exactly when a finding at or above --fail-on is present.
    expect(result.code).toBe(report.summary.critical > 0 ? 1 : 0);
    expect((await scan(project, "--format", "json", "--fail-on", "none")).code).toBe(0);
    expect((await scan(project, "--format", "json", "--fail-on", "low")).code).toBe(1);
  });

  it("writes SARIF 2.1.0 that the official schema accepts, with rules, help URIs and lockfile lines", async () => {
    const result = await scan(project, "--type", "dependencies,secrets", "--format", "sarif");
    expect(result.code).toBe(1);
    const log = JSON.parse(result.stdout);
    const { valid, errors } = validateSarif(log);
    expect(valid, errors).toBe(true);
    expect(log.version).toBe("2.1.0");
    const run0 = log.runs[0];
    expect(run0.tool.driver).toMatchObject({ name: expect.any(String), version: CLI_VERSION });
    expect(CLI_VERSION).not.toBe("0.0.0");
    const rule = run0.tool.driver.rules.find((r: { id: string }) => r.id === "GHSA-35jh-r3h4-6jhm");
    expect(rule).toMatchObject({ helpUri: "https://osv.dev/vulnerability/GHSA-35jh-r3h4-6jhm", defaultConfiguration: { level: "error" } });
    expect(rule.shortDescription.text.length).toBeGreaterThan(0);

    // The location is the lockfile line of the package.
    const lock = readFileSync(join(project, "package-lock.json"), "utf8").split("\n");
    const lodash = run0.results.find(
      (r: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.ruleId === "GHSA-35jh-r3h4-6jhm" && r.locations[0]?.physicalLocation.artifactLocation.uri === "package-lock.json",
    );
    const line = lodash.locations[0].physicalLocation.region.startLine as number;
    expect(lock[line - 1]).toContain("lodash");
    const requirements = run0.results.find(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri === "py/requirements.txt",
    );
    const pyLines = readFileSync(join(project, "py", "requirements.txt"), "utf8").split("\n");
    expect(pyLines[requirements.locations[0].physicalLocation.region.startLine - 1]).toMatch(/==/);

    const leaked = run0.results.find(
      (r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) =>
        r.locations[0]?.physicalLocation.artifactLocation.uri === "deploy.env",
    );
    expect(leaked.locations[0].physicalLocation.region).toMatchObject({ startLine: 2 });
    expect(result.stdout).not.toContain(secret);
  });

  it("exits 0 on a clean project and 2 on usage and server errors", async () => {
    const clean = mkdtempSync(join(tmpdir(), "secapi-ci-clean-"));
    try {
      writeFileSync(join(clean, "requirements.txt"), "left-pad-for-python==1.0.0\n");
      const ok = await scan(clean);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain("no findings");
      expect((await scan(clean, "--format", "xml")).code).toBe(2);
      expect((await scan(clean, "--label", "Bad Key=x")).code).toBe(2);
      expect((await scan(clean, "--key", "sk_not_a_key")).code).toBe(2);
      expect((await scan(clean, "--url", "http://127.0.0.1:9")).code).toBe(2);
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });
});

describe("secapi scan past a scan quota", () => {
  it("does not wait out a real 429 whose Retry-After is longer than --max-retry-after: exit 2, naming the window", async () => {
    const limited = await stack.createUser("free");
    const dir = mkdtempSync(join(tmpdir(), "secapi-ci-quota-"));
    try {
      // Inputs no one scanned before: a cached result would use no quota.
      for (const name of ["a", "b", "c"]) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "requirements.txt"), `quota-${name}-${process.pid}-${Date.now()}==1.0.0\n`);
      }
      const result = await runSecapiScan({ url: stack.apiUrl, key: limited.api_key }, [dir, "--format", "json", "--fail-on", "none"]);
      expect(result.code, result.stderr).toBe(2);
      const files = JSON.parse(result.stdout).files as { path: string; scan_id: string | null; error?: string }[];
      expect(files.map((file) => file.path)).toEqual(["a/requirements.txt", "b/requirements.txt", "c/requirements.txt"]);
      for (const file of files.slice(0, FREE_SCANS_PER_HOUR)) {
        expect(file.error).toBeUndefined();
        expect(file.scan_id).toMatch(/^[0-9a-f-]{36}$/);
      }
      const refused =
        /POST \/api\/v1\/scans: 429 rate_limited: Rate limit exceeded \(scans-hour: retry after (\d+) s, longer than the client waits: 300 s\)/;
      const retryAfter = Number(refused.exec(files[2]?.error ?? "")?.[1]);
      expect(retryAfter).toBeGreaterThan(300);
      expect(retryAfter).toBeLessThanOrEqual(3660);
      expect(result.stderr).toContain("error: c/requirements.txt: POST /api/v1/scans: 429 rate_limited");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
