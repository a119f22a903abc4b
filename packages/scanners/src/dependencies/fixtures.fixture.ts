// Test support: reads the committed fixtures under packages/scanners/test/fixtures.
import { readFileSync, readdirSync } from "node:fs";
import type { Advisory } from "./advisory.js";
import type { PackageSet } from "./package-set.js";
import { parseAdvisory } from "./parse-advisory.js";

const FIXTURES = new URL("../../test/fixtures/", import.meta.url);

/** The text of a fixture file, by its path under test/fixtures. */
export function fixtureText(path: string): string {
  return readFileSync(new URL(path, FIXTURES), "utf8");
}

/** The raw JSON of one OSV fixture, e.g. `osvJson("GHSA-35jh-r3h4-6jhm")`. */
export function osvJson(id: string): unknown {
  return JSON.parse(fixtureText(`osv/${id}.json`)) as unknown;
}

/** One OSV fixture, parsed. */
export function osvFixture(id: string): Advisory {
  return parseAdvisory(osvJson(id));
}

/** Every OSV fixture, parsed, in file-name order. */
export function allOsvFixtures(): Advisory[] {
  return readdirSync(new URL("osv/", FIXTURES))
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => osvFixture(f.slice(0, -".json".length)));
}

/** A package set with direct, dev and path dropped: what two inputs that show placement differently share. */
export function withoutPlacement(set: PackageSet): PackageSet {
  return { packages: set.packages.map(({ ecosystem, name, version }) => ({ ecosystem, name, version })), unchecked: set.unchecked };
}
