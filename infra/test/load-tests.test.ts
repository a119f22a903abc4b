import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

// A static check of the k6 suite (k6 is not on npm; e2e/k6-smoke.e2e.test.ts runs smoke.js with a real k6 when
// one is installed). Node can parse the scripts but not resolve k6's modules, so imports are checked by reading.

const DIR = new URL("../../load-tests/", import.meta.url);
const scripts = readdirSync(DIR).filter((f) => f.endsWith(".js"));
const libs = readdirSync(new URL("lib/", DIR)).filter((f) => f.endsWith(".js"));
const K6_MODULES = new Set(["k6", "k6/http", "k6/metrics", "k6/execution"]);

const read = (path: string) => readFileSync(new URL(path, DIR), "utf8");
const importsOf = (source: string) => [...source.matchAll(/^import\s[^;]*?from\s+"([^"]+)";/gms)].map((m) => m[1] as string);

describe("load-tests (k6)", () => {
  it("has the suite the docs describe", () => {
    expect(scripts.sort()).toEqual(["load.js", "rate-limits.js", "scan-lifecycle.js", "smoke.js", "soak.js", "spike.js", "stress.js"]);
  });

  it.each([...scripts, ...libs.map((f) => `lib/${f}`)])("%s parses, imports only k6 modules and files of the suite", (file) => {
    execFileSync(process.execPath, ["--check", new URL(file, DIR).pathname]);
    const source = read(file);
    for (const specifier of importsOf(source)) {
      if (specifier.startsWith(".")) expect(existsSync(new URL(specifier, new URL(file, DIR))), `${file} imports ${specifier}`).toBe(true);
      // Nothing fetched at run time (jslib.k6.io and the like): the suite runs offline.
      else expect(K6_MODULES, `${file} imports ${specifier}`).toContain(specifier);
    }
    // k6 v0.48 compiles with an older Babel that rejects object spread ({...a}); Object.assign instead.
    expect(source).not.toMatch(/[{,]\s*\.\.\.[\w.()"]+\s*[,}]/);
  });

  it.each(scripts)("%s creates its users, tags and bounds per endpoint, and writes a JSON summary", (file) => {
    const source = read(file);
    expect(source).toMatch(/thresholds:\s*Object\.assign\(\s*(?:\/\/.*\n\s*)*common\(/);
    expect(source).toContain("http.setResponseCallback(http.expectedStatuses(");
    expect(source).toMatch(/export function setup\(\) \{\n(?: {2}.*\n)*?.*createUsers\(/);
    expect(source).toMatch(/perEndpoint\(\{/);
    expect(source).toMatch(new RegExp(`export const handleSummary = summaryWriter\\("${file.replace(/\.js$/, "")}"\\);`));
  });

  it("keeps long polls out of readers' latency and never builds a scan URL from a missing id", () => {
    const api = read("lib/api.js");
    expect(api).toMatch(/waitScan:[\s\S]*?ENDPOINTS\.waitScan, \{ longPoll: true/);
    const lifecycle = read("scan-lifecycle.js");
    expect(lifecycle).toContain('"http_req_duration{scenario:readers,long_poll:false}"');
    expect(lifecycle).toMatch(/maxVUs:/);
    // The journey stops when a submission gave no scan.
    expect(read("lib/flows.js")).toMatch(/const scan = checkSubmitted\([^)]*\)\);\s*if \(!scan\) return;/);
  });

  it("rate-limits.js counts a 429 as an expected answer", () => {
    expect(read("rate-limits.js")).toContain("http.expectedStatuses(...EXPECTED_STATUSES, 429)");
  });

  it("has dropped_iterations, checks and failed-request thresholds in every script (lib/thresholds.js common)", () => {
    const thresholds = read("lib/thresholds.js");
    for (const metric of ["checks:", "http_req_failed:", "dropped_iterations:"]) expect(thresholds).toContain(metric);
  });
});
