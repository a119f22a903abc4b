// Test support: what every npm lockfile of the committed fixture project (lodash, @types/semver as a dev
// dependency, mkdirp with its own nested minimist) must say about where each package sits.
import { expect } from "vitest";
import type { PackageRef } from "../package-set.js";

/** The fixture project's packages, placed: direct vs transitive, dev, and the path that pulls each in. */
export function expectNpmProjectPlacement(packages: readonly PackageRef[]): void {
  const placed = (name: string, version: string) => packages.find((p) => p.name === name && p.version === version);
  expect(placed("lodash", "4.17.20")).toEqual({
    ecosystem: "npm",
    name: "lodash",
    version: "4.17.20",
    direct: true,
    dev: false,
    path: ["lodash"],
  });
  expect(placed("@types/semver", "7.5.0")).toEqual({
    ecosystem: "npm",
    name: "@types/semver",
    version: "7.5.0",
    direct: true,
    dev: true,
    path: ["@types/semver"],
  });
  // Nested under mkdirp: resolved from mkdirp's own node_modules first.
  expect(placed("minimist", "0.0.8")).toEqual({
    ecosystem: "npm",
    name: "minimist",
    version: "0.0.8",
    direct: false,
    dev: false,
    path: ["mkdirp", "minimist"],
  });
  expect(packages.filter((p) => p.path === undefined)).toEqual([]);
}
