import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import type { PackageSet } from "../package-set.js";
import { parseCargoLock } from "./cargo-lock.js";

const GIT = "installed from a git repository, not from the registry; advisories are matched by registry version";

// Both fixtures lock one workspace (see test/fixtures/lockfiles/README.md): members `app` and `helper`
// (path crates), two versions of smallvec, and a git dependency.
const WORKSPACE: PackageSet = {
  packages: [
    { ecosystem: "crates.io", name: "cfg-if", version: "1.0.0", direct: false, path: ["gitdep", "cfg-if"] },
    { ecosystem: "crates.io", name: "parking_lot", version: "0.11.0", direct: false, path: ["tokio", "parking_lot"] },
    { ecosystem: "crates.io", name: "regex", version: "1.5.4", direct: true, path: ["regex"] },
    { ecosystem: "crates.io", name: "smallvec", version: "0.6.14", direct: true, path: ["smallvec"] },
    { ecosystem: "crates.io", name: "smallvec", version: "1.6.0", direct: false, path: ["tokio", "parking_lot", "smallvec"] },
    { ecosystem: "crates.io", name: "tokio", version: "1.0.0", direct: true, path: ["tokio"] },
  ],
  unchecked: [
    {
      ecosystem: "crates.io",
      name: "gitdep",
      spec: "gitdep@git+file:///tmp/cargofx/gitdep-repo#df464af491033d5a32c233179941cd70df08f1e8",
      kind: "git",
      reason: GIT,
    },
  ],
};

describe("parseCargoLock", () => {
  it.each(["Cargo.lock", "cargo-v3.Cargo.lock"])(
    "reads %s: workspace crates are the project, their dependencies direct, paths by the dependency lists",
    (fixture) => {
      expect(parseCargoLock(fixtureText(`lockfiles/${fixture}`))).toEqual(WORKSPACE);
    },
  );

  it("reads version 1 references (`name version (source)`) and the [metadata] table", () => {
    const registry = "registry+https://github.com/rust-lang/crates.io-index";
    const text = [
      "[[package]]",
      'name = "app"',
      'version = "0.1.0"',
      `dependencies = ["rand 0.7.3 (${registry})", "rand 0.8.5 (${registry})"]`,
      "",
      "[[package]]",
      'name = "rand"',
      'version = "0.7.3"',
      `source = "${registry}"`,
      `dependencies = ["libc 0.2.150 (${registry})"]`,
      "",
      "[[package]]",
      'name = "rand"',
      'version = "0.8.5"',
      `source = "${registry}"`,
      "",
      "[[package]]",
      'name = "libc"',
      'version = "0.2.150"',
      `source = "${registry}"`,
      "",
      "[metadata]",
      `"checksum rand 0.7.3 (${registry})" = "abc"`,
    ].join("\n");
    expect(parseCargoLock(text)).toEqual({
      packages: [
        { ecosystem: "crates.io", name: "rand", version: "0.7.3", direct: true, path: ["rand"] },
        { ecosystem: "crates.io", name: "rand", version: "0.8.5", direct: true, path: ["rand"] },
        { ecosystem: "crates.io", name: "libc", version: "0.2.150", direct: false, path: ["rand", "libc"] },
      ],
      unchecked: [],
    });
  });

  it("checks sparse and private registries, and puts entries it cannot check in unchecked", () => {
    const text = [
      "version = 4",
      '[[package]]\nname = "a"\nversion = "1.0.0"\nsource = "sparse+https://cargo.example.com/index/"',
      '[[package]]\nname = "b"\nversion = "1.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"',
      '[[package]]\nname = "c"\nversion = "1.0.0"\nsource = "path+file:///somewhere"',
      '[[package]]\nname = "d"',
      "[[package]]\nname = 7",
    ].join("\n");
    expect(parseCargoLock(text)).toEqual({
      packages: [{ ecosystem: "crates.io", name: "a", version: "1.0.0" }],
      unchecked: [
        { ecosystem: "crates.io", name: "d", spec: "d", kind: "malformed_entry", reason: "the [[package]] entry has no version" },
        { ecosystem: "crates.io", name: "", spec: "", kind: "malformed_entry", reason: "the [[package]] entry has no name" },
        { ecosystem: "crates.io", name: "b", spec: "b@1.0", kind: "invalid_version", reason: "the version is not a SemVer version" },
        {
          ecosystem: "crates.io",
          name: "c",
          spec: "c@path+file:///somewhere",
          kind: "url",
          reason: "installed from a source that is not a registry",
        },
      ],
    });
  });

  it.each([
    ["JSON", '{"a": 1}', "lockfile_malformed", "Cargo.lock is not valid TOML (line 1, column 1)"],
    ["TOML without packages", 'name = "x"', "lockfile_malformed", "Cargo.lock: no [[package]] entries"],
    [
      "a newer lockfile version",
      'version = 5\n[[package]]\nname = "a"',
      "lockfile_unsupported_version",
      "Cargo.lock version 5 is not supported (supported: 1 to 4)",
    ],
  ])("refuses %s", (_name, text, code, message) => {
    expect(() => parseCargoLock(text)).toThrow(DependencyInputError);
    expect(() => parseCargoLock(text)).toThrow(expect.objectContaining({ code, message }));
  });
});
