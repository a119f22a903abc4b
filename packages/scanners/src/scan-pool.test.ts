import { describe, expect, it } from "vitest";
import { allOsvFixtures } from "./dependencies/fixtures.fixture.js";
import { prepareAdvisory } from "./dependencies/match-index.js";
import type { Advisory, PackageSet } from "./dependencies/index.js";
import { type ScanTask, runScan } from "./run-scan.js";
import { DEFAULT_INLINE_SCAN_LIMITS, runsInline } from "./scan-pool.js";

const advisories = allOsvFixtures() as Advisory[];
const set: PackageSet = {
  packages: advisories.flatMap((a) => a.affected.map((e) => ({ ecosystem: e.ecosystem, name: e.name, version: "0.0.1" }))),
  unchecked: [],
};
const prepared = advisories.map(prepareAdvisory);
const NOW = Date.parse("2026-12-01T00:00:00Z");

describe("runsInline", () => {
  const task = (packages: number, withPrepared = true): ScanTask => ({
    engine: "packages",
    input: { packages: Array.from({ length: packages }, () => set.packages[0]), unchecked: [] },
    advisories,
    ...(withPrepared ? { prepared } : {}),
  });

  it("keeps a small prepared package scan on the calling thread", () => {
    expect(runsInline(task(10), DEFAULT_INLINE_SCAN_LIMITS)).toBe(true);
  });

  it("sends to a thread what is too large, not prepared, not a package scan, or when inline is off", () => {
    expect(runsInline(task(DEFAULT_INLINE_SCAN_LIMITS.packages + 1), DEFAULT_INLINE_SCAN_LIMITS)).toBe(false);
    expect(runsInline(task(10), { packages: 10, advisories: advisories.length - 1 })).toBe(false);
    expect(runsInline(task(10, false), DEFAULT_INLINE_SCAN_LIMITS)).toBe(false);
    expect(runsInline({ engine: "secrets", input: { files: [] } }, DEFAULT_INLINE_SCAN_LIMITS)).toBe(false);
    expect(runsInline(task(10), false)).toBe(false);
  });
});

describe("runScan with prepared advisories", () => {
  it("answers what it answers from the plain advisories", () => {
    const plain = runScan({ engine: "packages", input: set, advisories, now: NOW });
    const withPrepared = runScan({ engine: "packages", input: set, advisories, prepared, now: NOW });
    expect(plain.status).toBe("completed");
    expect(plain.status === "completed" && plain.output.result.findings.length).toBeGreaterThan(0);
    expect(withPrepared).toEqual(plain);
  });
});
