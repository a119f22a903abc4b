import { readFileSync, readdirSync } from "node:fs";
import { REPO_ROOT, uniqueId } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

/**
 * Every lockfile format, end to end: one directory per format or variant of one (e2e/fixtures/lockfiles/README.md)
 * with the lockfile, OSV advisories in its ecosystem and the findings they must give. All advisories are imported
 * through the admin API, then each lockfile is submitted over HTTP and scanned by a real scan-worker.
 */
const FIXTURES = `${REPO_ROOT}e2e/fixtures/lockfiles/`;
const formats = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

interface Expected {
  format: string;
  findings: [string, string, string][];
  /** The dependency path of each named package's findings, where the format shows the graph. */
  paths?: Record<string, string[]>;
  unchecked: number;
}
const fixture = (format: string) => {
  const dir = `${FIXTURES}${format}/`;
  const lockfileName = readdirSync(dir).find((name) => name !== "advisories.json" && name !== "expected.json");
  if (!lockfileName) throw new Error(`${dir} has no lockfile`);
  return {
    lockfile: readFileSync(dir + lockfileName, "utf8"),
    advisories: JSON.parse(readFileSync(`${dir}advisories.json`, "utf8")) as { id: string }[],
    expected: JSON.parse(readFileSync(`${dir}expected.json`, "utf8")) as Expected,
  };
};

let stack: Stack;
let userKey: string;

beforeAll(async () => {
  stack = await Stack.create();
  await stack.startApi();
  await stack.startScanWorker();
  const admin = JSON.parse(
    await stack.cli("users", "create", "--email", `${uniqueId("admin")}@example.com`, "--tier", "business", "--admin", "--json"),
  );
  const advisories = formats.flatMap((format) => fixture(format).advisories);
  const imported = await stack.request("POST", "/api/v1/admin/advisories", admin.api_key, advisories);
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  userKey = (await stack.createUser("business")).api_key;
});
afterAll(() => stack.close());

describe("every lockfile format, submitted over HTTP", () => {
  it("has fixtures", () => {
    expect(formats.length).toBeGreaterThanOrEqual(2);
  });

  it.each(formats)("%s: finds exactly the expected advisories and reports the unchecked entries", async (directory) => {
    const { lockfile, advisories, expected } = fixture(directory);
    // `yarn.lock-classic`: a second variant of one format (yarn classic beside berry) in a directory of its own.
    const format = expected.format;
    expect(directory === format || directory.startsWith(`${format}-`), directory).toBe(true);
    const submitted = await stack.request("POST", "/api/v1/scans", userKey, { type: "dependencies", input: { lockfile, format } });
    expect(submitted.status, JSON.stringify(submitted.body)).toBe(202);
    const scan = await stack.pollUntilDone(submitted.headers.get("location") ?? "", userKey);
    expect(scan.status, JSON.stringify(scan.error)).toBe("completed");
    // Another directory's advisory may name a package of this lockfile too; only this directory's count here.
    const own = new Set(advisories.map((a) => a.id));
    const ownFindings = (scan.result.findings as { package: string; version: string; id: string; path?: string[] }[]).filter((f) =>
      own.has(f.id),
    );
    const findings = ownFindings.map((f) => [f.package, f.version, f.id]).sort((a, b) => a.join(" ").localeCompare(b.join(" ")));
    expect(findings).toEqual([...expected.findings].sort((a, b) => a.join(" ").localeCompare(b.join(" "))));
    expect(scan.result.unchecked).toHaveLength(expected.unchecked);
    for (const [name, path] of Object.entries(expected.paths ?? {})) {
      const named = ownFindings.filter((f) => f.package === name);
      expect(named.length, name).toBeGreaterThan(0);
      for (const finding of named) expect(finding.path, name).toEqual(path);
    }
  });
});
