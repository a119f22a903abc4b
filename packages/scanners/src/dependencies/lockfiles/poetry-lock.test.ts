import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parsePoetryLock } from "./poetry-lock.js";

const GIT = "installed from a VCS repository, not from a package index; advisories are matched by index version";

describe("parsePoetryLock", () => {
  it("reads a Poetry 2 lock: groups flag dev, unreferenced packages are direct, paths follow [package.dependencies]", () => {
    expect(parsePoetryLock(fixtureText("lockfiles/poetry-v2.poetry.lock"))).toEqual({
      packages: [
        { ecosystem: "PyPI", name: "certifi", version: "2024.2.2", dev: false, path: ["requests", "certifi"] },
        { ecosystem: "PyPI", name: "idna", version: "3.6", dev: false, path: ["requests", "idna"] },
        { ecosystem: "PyPI", name: "iniconfig", version: "2.0.0", dev: true, path: ["pytest", "iniconfig"] },
        { ecosystem: "PyPI", name: "pytest", version: "7.4.0", direct: true, dev: true, path: ["pytest"] },
        { ecosystem: "PyPI", name: "requests", version: "2.31.0", direct: true, dev: false, path: ["requests"] },
        // Needed by both a main and a dev package: it ships, and its path goes through the main one.
        { ecosystem: "PyPI", name: "urllib3", version: "2.0.7", dev: false, path: ["requests", "urllib3"] },
        { ecosystem: "PyPI", name: "private", version: "1.2.3", direct: true, dev: false, path: ["private"] },
      ],
      unchecked: [
        {
          ecosystem: "PyPI",
          name: "localpkg",
          spec: "localpkg@../localpkg",
          kind: "path",
          reason: "installed from a local directory, not from a package index",
        },
        {
          ecosystem: "PyPI",
          name: "mylib",
          spec: "mylib@https://github.com/example/mylib.git#4f2a8c1d9e0b7a6c5d4e3f2a1b0c9d8e7f6a5b4c",
          kind: "git",
          reason: GIT,
        },
        {
          ecosystem: "PyPI",
          name: "vendored",
          spec: "vendored@vendor/vendored-1.0.0-py3-none-any.whl",
          kind: "path",
          reason: "installed from a local archive or wheel, not from a package index",
        },
      ],
    });
  });

  it('reads Poetry 1\'s category = "dev" and a lock without groups or category leaves dev absent', () => {
    const text = [
      '[[package]]\nname = "black"\nversion = "23.1.0"\ncategory = "dev"\noptional = false\npython-versions = ">=3.7"\n',
      '[[package]]\nname = "Flask"\nversion = "2.2.2"\ncategory = "main"\n',
      '[[package]]\nname = "six"\nversion = "1.16.0"\n',
      '[metadata]\nlock-version = "1.1"\npython-versions = "^3.8"\ncontent-hash = "abc"\n',
    ].join("\n");
    expect(parsePoetryLock(text).packages).toEqual([
      { ecosystem: "PyPI", name: "black", version: "23.1.0", direct: true, dev: true, path: ["black"] },
      { ecosystem: "PyPI", name: "Flask", version: "2.2.2", direct: true, dev: false, path: ["Flask"] },
      { ecosystem: "PyPI", name: "six", version: "1.16.0", direct: true, path: ["six"] },
    ]);
  });

  it("reports an entry without a name or with an unreadable version as unchecked and checks the rest", () => {
    const text =
      '[[package]]\nversion = "1.0.0"\n\n[[package]]\nname = "odd"\nversion = "not a version"\n\n[[package]]\nname = "nover"\n\n[[package]]\nname = "ok"\nversion = "1.0"\n\n[metadata]\nlock-version = "2.0"\n';
    const set = parsePoetryLock(text);
    expect(set.packages.map((p) => `${p.name}@${p.version}`)).toEqual(["ok@1.0"]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind])).toEqual([
      ["", "[[package]] #1", "malformed_entry"],
      ["odd", "odd@not a version", "invalid_version"],
      ["nover", "nover", "no_version"],
    ]);
  });

  it.each([
    ["not TOML", "[[package]\nname =", /not valid TOML \(line 1/],
    ["TOML without packages or metadata", 'title = "x"\n', /not a poetry.lock/],
    ["a package key that is not an array", 'package = "x"\n[metadata]\n', /not an array/],
  ])("rejects %s as lockfile_malformed", (_name, text, message) => {
    const attempt = () => parsePoetryLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
    expect(attempt).toThrow(message);
  });
});
