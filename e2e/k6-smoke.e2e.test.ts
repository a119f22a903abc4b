import { execFile, execFileSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT, uniqueId } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Stack } from "./stack.js";

// The k6 smoke script (load-tests/smoke.js) run by a real k6 against the apps started as processes: it creates
// its own users through the admin API, walks every main route, and must meet its own thresholds. k6 is not on
// npm: the test runs when K6_BINARY, ../shared/tools/k6 next to the repository (or next to the main checkout, from
// a git worktree) or `k6` on PATH exists, and skips otherwise.

const run = promisify(execFile);

/** The main checkout's root when this is a git worktree (its common .git directory's parent), else undefined. */
function mainCheckout(): string | undefined {
  try {
    const common = execFileSync("git", ["rev-parse", "--path-format=absolute", "--git-common-dir"], { cwd: REPO_ROOT, encoding: "utf8" });
    return dirname(common.trim());
  } catch {
    return undefined;
  }
}

function findK6(): string | undefined {
  const nextTo = (root: string | undefined) => (root ? [join(root, "..", "shared", "tools", "k6")] : []);
  const candidates = [
    ...(process.env.K6_BINARY ? [process.env.K6_BINARY] : []),
    ...nextTo(REPO_ROOT),
    ...nextTo(mainCheckout()),
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => join(dir, "k6")),
  ];
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const k6 = findK6();

describe.skipIf(!k6)("k6 smoke test against the e2e stack", () => {
  let stack: Stack;
  let adminKey: string;
  let summaryDir: string;

  beforeAll(async () => {
    stack = await Stack.create();
    await stack.startApi();
    await stack.startScanWorker();
    await stack.startCacheWorker();
    await stack.cli("advisories", "import", `${REPO_ROOT}packages/scanners/test/fixtures/osv`, "--json");
    const admin = JSON.parse(
      await stack.cli("users", "create", "--email", `${uniqueId("k6-admin")}@example.com`, "--tier", "business", "--admin", "--json"),
    );
    adminKey = admin.api_key;
    summaryDir = mkdtempSync(join(tmpdir(), "secapi-k6-"));
  });
  afterAll(async () => {
    await stack?.close();
    if (summaryDir) rmSync(summaryDir, { recursive: true, force: true });
  });

  it("smoke.js meets its thresholds, and its JSON summary says so", async () => {
    const result = await run(k6 as string, ["run", "--quiet", "--no-color", `${REPO_ROOT}load-tests/smoke.js`], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        BASE_URL: stack.apiUrl,
        BOOTSTRAP_ADMIN_KEY: adminKey,
        SUMMARY_DIR: summaryDir,
        DURATION: "30s",
        K6_NO_USAGE_REPORT: "true",
      },
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { code?: number; stdout?: string; stderr?: string }) => {
      throw new Error(`k6 exited ${error.code}\n${error.stdout}\n${error.stderr}\n${stack.logs().slice(-20_000)}`);
    });
    console.log(result.stdout);

    const summary = JSON.parse(readFileSync(join(summaryDir, "smoke.json"), "utf8"));
    expect(summary.failed_thresholds).toEqual([]);
    expect(summary.k6.metrics.checks.values.passes).toBeGreaterThan(0);
    expect(summary.k6.metrics.checks.values.fails).toBe(0);
    // Every main route was exercised.
    expect(summary.endpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual(
      expect.arrayContaining([
        "POST /scan/dependencies",
        "POST /scans",
        "GET /scans/:id",
        "GET /scans/:id?wait",
        "GET /scans",
        "GET /usage",
      ]),
    );
    for (const endpoint of summary.endpoints) expect(endpoint.count, endpoint.endpoint).toBeGreaterThan(0);
  });
});
