import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const DIR = new URL("../../load-tests/", import.meta.url);
const scripts = readdirSync(DIR).filter((f) => f.endsWith(".js"));

describe("load-tests (k6)", () => {
  it.each(scripts)("%s parses and carries thresholds on SecAPI's routes", (file) => {
    const path = new URL(file, DIR).pathname;
    // A syntax check only (k6 modules do not resolve under node).
    execFileSync(process.execPath, ["--check", path]);
    const source = readFileSync(path, "utf8");
    expect(source).toMatch(/thresholds:\s*\{/);
    expect(source).toMatch(/\/api\/v1\/scans/);
    expect(source).toContain("__ENV.API_KEY");
  });

  it("has scripts to check", () => {
    expect(scripts.sort()).toEqual(["rate-limits.js", "scan-lifecycle.js"]);
  });
});
