import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parsePubspecLock } from "./pubspec-lock.js";

describe("parsePubspecLock", () => {
  it("checks hosted packages from any pub server, flags direct and dev, and puts sdk, path and git packages in unchecked", () => {
    expect(parsePubspecLock(fixtureText("lockfiles/pubspec.lock"))).toEqual({
      packages: [
        { ecosystem: "Pub", name: "async", version: "2.11.0", direct: false },
        { ecosystem: "Pub", name: "collection", version: "1.18.0", direct: true },
        { ecosystem: "Pub", name: "flutter_lints", version: "2.0.3", direct: true, dev: true },
        { ecosystem: "Pub", name: "http", version: "0.13.6", direct: true },
        { ecosystem: "Pub", name: "http_parser", version: "4.0.2", direct: false },
        { ecosystem: "Pub", name: "internal_api", version: "1.2.0+3", direct: true },
      ],
      unchecked: [
        {
          ecosystem: "Pub",
          name: "flutter",
          spec: "flutter@sdk:flutter",
          kind: "sdk",
          reason: "ships with the Flutter or Dart SDK and is versioned with it, not a registry release",
        },
        {
          ecosystem: "Pub",
          name: "shared_models",
          spec: "shared_models@path:../shared_models",
          kind: "path",
          reason: "installed from a local directory, not from the registry",
        },
        {
          ecosystem: "Pub",
          name: "some_fork",
          spec: "some_fork@git:https://github.com/example/some_fork.git#3f1c7a8e2b9d4c6a5e0f1b2c3d4e5f6a7b8c9d0e",
          kind: "git",
          reason: "installed from a git repository, not from the registry; advisories are matched by registry version",
        },
      ],
    });
  });

  it("reads the older string descriptions, and puts entries it cannot check in unchecked", () => {
    const text = [
      "packages:",
      "  meta:",
      '    dependency: "direct main"',
      "    description: meta",
      "    source: hosted",
      '    version: "1.9.1"',
      "  no_version:",
      "    dependency: transitive",
      "    source: hosted",
      "  bad_version:",
      "    source: hosted",
      '    version: "1.0"',
      "  odd_source:",
      "    source: ftp",
      '    version: "1.0.0"',
      "  not_a_map: 7",
    ].join("\n");
    expect(parsePubspecLock(text)).toEqual({
      packages: [{ ecosystem: "Pub", name: "meta", version: "1.9.1", direct: true }],
      unchecked: [
        { ecosystem: "Pub", name: "no_version", spec: "no_version", kind: "no_version", reason: "the lockfile gives no version for it" },
        {
          ecosystem: "Pub",
          name: "bad_version",
          spec: "bad_version@1.0",
          kind: "invalid_version",
          reason: "the version is not a pub (Dart SemVer) version",
        },
        {
          ecosystem: "Pub",
          name: "odd_source",
          spec: "odd_source@1.0.0",
          kind: "malformed_entry",
          reason: 'the source "ftp" is not one pub writes',
        },
        { ecosystem: "Pub", name: "not_a_map", spec: "not_a_map", kind: "malformed_entry", reason: "the pubspec.lock entry is not a map" },
      ],
    });
  });

  it("reads a project without dependencies", () => {
    expect(parsePubspecLock("packages: {}\nsdks:\n  dart: '>=3.0.0 <4.0.0'\n")).toEqual({ packages: [], unchecked: [] });
    expect(parsePubspecLock("packages:\nsdks:\n  dart: '>=3.0.0 <4.0.0'\n")).toEqual({ packages: [], unchecked: [] });
  });

  it.each([
    ["YAML without packages", "lockfileVersion: '9.0'\n", "pubspec.lock: no `packages` map"],
    ["packages that are a list", "packages: [a, b]\n", "pubspec.lock: `packages` is not a map"],
    ["text that is not YAML", "packages: {\n", "pubspec.lock is not valid YAML"],
  ])("refuses %s", (_name, text, message) => {
    expect(() => parsePubspecLock(text)).toThrow(DependencyInputError);
    expect(() => parsePubspecLock(text)).toThrow(message);
  });
});
