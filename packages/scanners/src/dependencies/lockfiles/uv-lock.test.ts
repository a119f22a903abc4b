import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseUvLock } from "./uv-lock.js";
import { expectedEntries } from "./expected-entries.fixture.js";

const pypi = expectedEntries("PyPI");

describe("parseUvLock", () => {
  it("places packages from the workspace members' dependencies, extras and dev groups; other sources are unchecked", () => {
    expect(parseUvLock(fixtureText("lockfiles/uv.lock"))).toEqual({
      packages: [
        { ecosystem: "PyPI", name: "anyio", version: "4.2.0", direct: true, dev: false, path: ["anyio"] },
        { ecosystem: "PyPI", name: "idna", version: "3.6", direct: false, dev: false, path: ["anyio", "idna"] },
        { ecosystem: "PyPI", name: "pytest", version: "7.4.0", direct: true, dev: true, path: ["pytest"] },
        { ecosystem: "PyPI", name: "rich", version: "13.7.0", direct: true, dev: false, path: ["rich"] },
        // A dev dependency needs it too, but anyio ships it.
        { ecosystem: "PyPI", name: "sniffio", version: "1.3.0", direct: false, dev: false, path: ["anyio", "sniffio"] },
      ],
      unchecked: pypi.unchecked(
        [
          "myplugin",
          "myplugin@git+https://github.com/example/myplugin?rev=v0.1.0#0123456789abcdef0123456789abcdef01234567",
          "git",
          "installed from a VCS repository, not from a package index; advisories are matched by index version",
        ],
        [
          "uv-lib",
          "uv-lib@packages/uv-lib",
          "workspace",
          "a member of the project's own workspace (editable or virtual), the project's own code",
        ],
        ["vendored", "vendored@vendor/vendored", "path", "installed from a local directory, not from a package index"],
        [
          "wheelpkg",
          "wheelpkg@https://files.example.com/wheelpkg-1.0.0-py3-none-any.whl",
          "url",
          "installed from a URL that is not a package index",
        ],
        [
          "localwheel",
          "localwheel@dist/localwheel-2.0.0-py3-none-any.whl",
          "path",
          "installed from a local archive or wheel, not from a package index",
        ],
      ),
    });
  });

  it("reports an entry without a name or version as unchecked and checks the rest", () => {
    const text =
      'version = 1\n\n[[package]]\nversion = "1.0"\n\n[[package]]\nname = "nover"\nsource = { registry = "https://pypi.org/simple" }\n\n[[package]]\nname = "ok"\nversion = "1.0"\nsource = { registry = "https://pypi.org/simple" }\n';
    const set = parseUvLock(text);
    expect(set.packages).toEqual([{ ecosystem: "PyPI", name: "ok", version: "1.0" }]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind])).toEqual([
      ["", "[[package]] #1", "malformed_entry"],
      ["nover", "nover", "no_version"],
    ]);
  });

  it.each([
    ["not TOML", "version = = 1", /not valid TOML/],
    ["TOML without a version", '[[package]]\nname = "x"\n', /`version` is missing/],
  ])("rejects %s as lockfile_malformed", (_name, text, message) => {
    const attempt = () => parseUvLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
    expect(attempt).toThrow(message);
  });
});
