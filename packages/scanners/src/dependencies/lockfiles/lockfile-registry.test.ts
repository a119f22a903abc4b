import { describe, expect, it } from "vitest";
import { fixtureText } from "../fixtures.fixture.js";
import type { PackageRef } from "../package-set.js";
import {
  LOCKFILE_FORMATS,
  LOCKFILE_FORMAT_DEFINITIONS,
  lockfileFormatDefinition,
  lockfileFormatForFileName,
  lockfileFormatsFor,
} from "./lockfile-registry.js";

// The fixture lines: at least one per format. A fixture (under test/fixtures/lockfiles), the path it would
// have in a project, and one package it must list.
const FIXTURES: [fixture: string, projectPath: string, listed: PackageRef][] = [
  [
    "npm-v3.package-lock.json",
    "package-lock.json",
    { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, dev: false, path: ["lodash"] },
  ],
  [
    "pnpm-v9.pnpm-lock.yaml",
    "web/pnpm-lock.yaml",
    { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, dev: false, path: ["lodash"] },
  ],
  ["yarn-v1.yarn.lock", "yarn.lock", { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, path: ["lodash"] }],
  ["requirements.txt", "requirements.txt", { ecosystem: "PyPI", name: "Jinja2", version: "3.1.2" }],
  [
    "maven.pom.xml",
    "service/pom.xml",
    {
      ecosystem: "Maven",
      name: "org.apache.logging.log4j:log4j-core",
      version: "2.14.1",
      direct: true,
      dev: false,
      path: ["org.apache.logging.log4j:log4j-core"],
    },
  ],
  [
    "gradle.lockfile",
    "app/gradle.lockfile",
    { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1", dev: false },
  ],
  [
    "nuget.packages.lock.json",
    "src/Api/packages.lock.json",
    { ecosystem: "NuGet", name: "Newtonsoft.Json", version: "13.0.3", direct: true, path: ["Newtonsoft.Json"] },
  ],
  ["go.mod", "service/go.mod", { ecosystem: "Go", name: "golang.org/x/text", version: "v0.3.5", direct: true }],
  [
    "Cargo.lock",
    "Cargo.lock",
    { ecosystem: "crates.io", name: "smallvec", version: "1.6.0", direct: false, path: ["tokio", "parking_lot", "smallvec"] },
  ],
  ["pubspec.lock", "app/pubspec.lock", { ecosystem: "Pub", name: "http", version: "0.13.6", direct: true }],
  [
    "bundler.Gemfile.lock",
    "app/Gemfile.lock",
    { ecosystem: "RubyGems", name: "rack", version: "2.2.8", direct: false, path: ["billing", "rack"] },
  ],
  ["composer-v2.composer.lock", "composer.lock", { ecosystem: "Packagist", name: "psr/http-message", version: "2.0", dev: false }],
  [
    "npm-v3.package-lock.json",
    "npm-shrinkwrap.json",
    { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, dev: false, path: ["lodash"] },
  ],
  [
    "bun-v1-workspaces.bun.lock",
    "bun.lock",
    { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, dev: false, path: ["lodash"] },
  ],
  [
    "yarn-berry-v4-workspaces.yarn.lock",
    "yarn.lock",
    { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, path: ["lodash"] },
  ],
  [
    "poetry-v2.poetry.lock",
    "poetry.lock",
    { ecosystem: "PyPI", name: "requests", version: "2.31.0", direct: true, dev: false, path: ["requests"] },
  ],
  ["Pipfile.lock", "Pipfile.lock", { ecosystem: "PyPI", name: "Jinja2", version: "3.1.2", dev: false }],
  ["uv.lock", "uv.lock", { ecosystem: "PyPI", name: "anyio", version: "4.2.0", direct: true, dev: false, path: ["anyio"] }],
  ["pdm.lock", "pdm.lock", { ecosystem: "PyPI", name: "requests", version: "2.31.0", dev: false }],
];

describe("LOCKFILE_FORMAT_DEFINITIONS", () => {
  it("names each format once and gives the enum in registry order", () => {
    expect(new Set(LOCKFILE_FORMATS).size).toBe(LOCKFILE_FORMATS.length);
    expect(LOCKFILE_FORMATS).toEqual([
      "package-lock.json",
      "pnpm-lock.yaml",
      "yarn.lock",
      "requirements.txt",
      "pom.xml",
      "gradle.lockfile",
      "packages.lock.json",
      "go.mod",
      "Cargo.lock",
      "pubspec.lock",
      "Gemfile.lock",
      "composer.lock",
      "npm-shrinkwrap.json",
      "bun.lock",
      "poetry.lock",
      "Pipfile.lock",
      "uv.lock",
      "pdm.lock",
    ]);
    for (const definition of LOCKFILE_FORMAT_DEFINITIONS) expect(lockfileFormatDefinition(definition.format)).toBe(definition);
  });

  it("has a fixture line for every format", () => {
    const covered = new Set(FIXTURES.map(([, path]) => lockfileFormatForFileName(path)?.format));
    expect(LOCKFILE_FORMATS.filter((format) => !covered.has(format))).toEqual([]);
  });

  it.each(FIXTURES)("finds the format of %s by its file name (%s) and parses it", (fixture, path, listed) => {
    const definition = lockfileFormatForFileName(path);
    expect(definition).toBeDefined();
    const set = definition?.parse(fixtureText(`lockfiles/${fixture}`));
    expect(set?.packages).toContainEqual(listed);
    expect(set?.packages.filter((p) => p.ecosystem !== definition?.ecosystem)).toEqual([]);
  });

  it("matches a file's own name, not its directories, and leaves other files alone", () => {
    const formatOf = (path: string) => lockfileFormatForFileName(path)?.format;
    expect(formatOf("service/requirements-dev.txt")).toBe("requirements.txt");
    expect(formatOf("C:\\app\\yarn.lock")).toBe("yarn.lock");
    expect(formatOf("test-requirements.txt")).toBe("requirements.txt");
    expect(formatOf("requirements_test.txt")).toBe("requirements.txt");
    expect(formatOf("buildscript-gradle.lockfile")).toBe("gradle.lockfile");
    expect(formatOf("src\\Api\\packages.lock.json")).toBe("packages.lock.json");
    expect(formatOf("services/api/poetry.lock")).toBe("poetry.lock");
    expect(formatOf("npm-shrinkwrap.json")).toBe("npm-shrinkwrap.json");
    for (const path of [
      "package.json",
      "yarn.lock.bak",
      "old-package-lock.json",
      "requirements/prod.txt",
      "constraints.txt",
      "myrequirements.txt",
      "requirements.in",
      "pom.xml.bak",
      "build.gradle",
      "packages.config",
      "bun.lockb",
      "Pipfile",
      "pipfile.lock",
    ]) {
      expect([path, formatOf(path)]).toEqual([path, undefined]);
    }
  });

  it("lists the formats of an ecosystem", () => {
    expect(lockfileFormatsFor("npm").map((d) => d.format)).toEqual([
      "package-lock.json",
      "pnpm-lock.yaml",
      "yarn.lock",
      "npm-shrinkwrap.json",
      "bun.lock",
    ]);
    expect(lockfileFormatsFor("PyPI").map((d) => d.format)).toEqual([
      "requirements.txt",
      "poetry.lock",
      "Pipfile.lock",
      "uv.lock",
      "pdm.lock",
    ]);
    expect(lockfileFormatsFor("Maven").map((d) => d.format)).toEqual(["pom.xml", "gradle.lockfile"]);
    expect(lockfileFormatsFor("NuGet").map((d) => d.format)).toEqual(["packages.lock.json"]);
    expect(lockfileFormatsFor("Go").map((d) => d.format)).toEqual(["go.mod"]);
    expect(lockfileFormatsFor("crates.io").map((d) => d.format)).toEqual(["Cargo.lock"]);
    expect(lockfileFormatsFor("Pub").map((d) => d.format)).toEqual(["pubspec.lock"]);
    expect(lockfileFormatsFor("RubyGems").map((d) => d.format)).toEqual(["Gemfile.lock"]);
    expect(lockfileFormatsFor("Debian")).toEqual([]);
    expect(lockfileFormatForFileName("gems.locked")?.format).toBe("Gemfile.lock");
  });
});
