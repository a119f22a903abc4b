import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parsePdmLock } from "./pdm-lock.js";
import { expectedEntries } from "./expected-entries.fixture.js";

const pypi = expectedEntries("PyPI");

describe("parsePdmLock", () => {
  it("flags packages outside the default group as dev-only; git, path, editable and URL entries are unchecked", () => {
    expect(parsePdmLock(fixtureText("lockfiles/pdm.lock"))).toEqual({
      packages: pypi.packages(
        ["certifi", "2024.2.2", false],
        ["requests", "2.31.0", false],
        ["pytest", "7.4.0", true],
        ["nogroups", "1.0.0"],
      ),
      unchecked: pypi.unchecked(
        [
          "mylib",
          "mylib@git+https://github.com/example/mylib.git#4f2a8c1d9e0b7a6c5d4e3f2a1b0c9d8e7f6a5b4c",
          "git",
          "installed from a VCS repository, not from a package index; advisories are matched by index version",
        ],
        ["localpkg", "localpkg@./vendor/localpkg", "path", "installed from a local directory, not from a package index"],
        ["devpkg", "devpkg@./devpkg", "path", "installed from a local directory, not from a package index"],
        [
          "wheelpkg",
          "wheelpkg@https://files.example.com/wheelpkg-1.0.0-py3-none-any.whl",
          "url",
          "installed from a URL that is not a package index",
        ],
      ),
    });
  });

  it("reports an entry without a name as unchecked and checks the rest", () => {
    const set = parsePdmLock(
      '[metadata]\nlock_version = "4.4"\n\n[[package]]\nversion = "1.0"\n\n[[package]]\nname = "ok"\nversion = "1.0"\n',
    );
    expect(set.packages).toEqual([{ ecosystem: "PyPI", name: "ok", version: "1.0" }]);
    expect(set.unchecked.map((u) => [u.spec, u.kind])).toEqual([["[[package]] #1", "malformed_entry"]]);
  });

  it.each([
    ["not TOML", "[metadata", /not valid TOML/],
    ["TOML without [metadata]", '[[package]]\nname = "x"\n', /no \[metadata\]/],
  ])("rejects %s as lockfile_malformed", (_name, text, message) => {
    const attempt = () => parsePdmLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
    expect(attempt).toThrow(message);
  });
});
