import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { canonicalPackageSet } from "../package-set.js";
import { parsePipfileLock } from "./pipfile-lock.js";

describe("parsePipfileLock", () => {
  it("reads default and develop (dev-only), pins ==x; git, path, file and odd entries are unchecked", () => {
    expect(canonicalPackageSet(parsePipfileLock(fixtureText("lockfiles/Pipfile.lock")))).toEqual({
      packages: [
        { ecosystem: "PyPI", name: "jinja2", version: "3.1.2", dev: false },
        // In both sections: it ships.
        { ecosystem: "PyPI", name: "markupsafe", version: "2.1.3", dev: false },
        { ecosystem: "PyPI", name: "pytest", version: "7.4.0", dev: true },
        { ecosystem: "PyPI", name: "requests", version: "2.31.0", dev: false },
      ],
      unchecked: [
        { ecosystem: "PyPI", name: "broken", spec: "broken", kind: "malformed_entry", reason: "the Pipfile.lock entry is not an object" },
        {
          ecosystem: "PyPI",
          name: "flask",
          spec: "flask@git+https://github.com/pallets/flask.git#0123456789abcdef0123456789abcdef01234567",
          kind: "git",
          reason: "installed from a VCS repository, not from a package index; advisories are matched by index version",
        },
        {
          ecosystem: "PyPI",
          name: "mytool",
          spec: "mytool@./tools/mytool",
          kind: "path",
          reason: "installed from a local directory, not from a package index",
        },
        { ecosystem: "PyPI", name: "odd", spec: "odd>=1.0", kind: "unpinned", reason: "not pinned to one version with ==" },
        {
          ecosystem: "PyPI",
          name: "wheelpkg",
          spec: "wheelpkg@https://files.example.com/wheelpkg-1.0.0-py3-none-any.whl",
          kind: "url",
          reason: "installed from a URL that is not a package index",
        },
      ],
    });
  });

  it.each([
    ["not JSON", "{", /not valid JSON/],
    ["JSON that is not a Pipfile.lock", '{"lockfileVersion": 3}', /not a Pipfile.lock/],
    ["a section that is not an object", '{"_meta": {}, "default": []}', /`default` is not an object/],
  ])("rejects %s as lockfile_malformed", (_name, text, message) => {
    const attempt = () => parsePipfileLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
    expect(attempt).toThrow(message);
  });
});
