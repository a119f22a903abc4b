import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseRequirementsTxt } from "./requirements-txt.js";

describe("parseRequirementsTxt", () => {
  it("reads pins with extras, markers, hashes, comments and continuations; reports the rest as unchecked", () => {
    const set = parseRequirementsTxt(fixtureText("lockfiles/requirements.txt"));
    expect(set.packages).toEqual([
      { ecosystem: "PyPI", name: "Django", version: "4.2.1" },
      { ecosystem: "PyPI", name: "requests", version: "2.30.0" },
      { ecosystem: "PyPI", name: "urllib3", version: "1.26.16" },
      { ecosystem: "PyPI", name: "Jinja2", version: "3.1.2" },
      { ecosystem: "PyPI", name: "PyYAML", version: "5.3.1" },
      { ecosystem: "PyPI", name: "cryptography", version: "41.0.7" },
      { ecosystem: "PyPI", name: "zope.interface", version: "6.0" },
    ]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind, u.reason])).toEqual([
      ["Flask", "Flask>=2.0", "unpinned", "not pinned to one version with =="],
      ["gunicorn", "gunicorn", "unpinned", "not pinned to one version with =="],
      ["numpy", "numpy~=1.26", "unpinned", "not pinned to one version with =="],
      ["pip-tools", "pip-tools==7.*", "unpinned", "not pinned to one version with =="],
      [
        "mypkg",
        "mypkg @ https://example.com/packages/mypkg-1.0.tar.gz",
        "url",
        "a direct URL reference (name @ url), not a registry version",
      ],
      [
        "localpkg",
        "-e git+https://github.com/example/localpkg.git#egg=localpkg",
        "git",
        "an editable install (local or VCS), not a registry version",
      ],
    ]);
  });

  it.each([
    ["name===version", "foo===1.0", "1.0"],
    ["parenthesised specifiers", "foo (==1.0)", "1.0"],
    ["spaces around ==", "foo == 1.0", "1.0"],
    ["a pin with an upper bound too", "foo==1.0,<2", "1.0"],
    ["a marker without spaces", "foo==1.0;sys_platform=='linux'", "1.0"],
    ["CRLF line endings", "foo==1.0\r\n", "1.0"],
    ["a tab before a comment", "foo==1.0\t# pinned", "1.0"],
  ])("accepts %s", (_name, text, version) => {
    expect(parseRequirementsTxt(text).packages).toEqual([{ ecosystem: "PyPI", name: "foo", version }]);
  });

  it.each([
    ["a wildcard pin", "foo==1.*", "unpinned"],
    ["a range", "foo>=1.0,<2.0", "unpinned"],
    ["an exclusion", "foo!=1.0", "unpinned"],
    ["a version that is not PEP 440", "foo==latest", "invalid_version"],
  ])("reports %s as unchecked", (_name, text, kind) => {
    const set = parseRequirementsTxt(text);
    expect(set.packages).toEqual([]);
    expect(set.unchecked).toEqual([expect.objectContaining({ ecosystem: "PyPI", name: "foo", spec: text, kind })]);
  });

  it("reports URLs and paths as unchecked, named after the archive, with where they come from as the kind", () => {
    const lines = [
      "https://example.com/dist/some_pkg-2.0-py3-none-any.whl",
      "./vendor/other-1.0.tar.gz",
      "-e .",
      "git+https://github.com/example/from_git.git#egg=from_git",
      "-e hg+https://hg.example.com/repo#egg=from_hg",
      "local @ file:///srv/wheels/local-1.0-py3-none-any.whl",
      "remote @ https://example.com/remote-1.0.tar.gz",
    ];
    expect(parseRequirementsTxt(lines.join("\n")).unchecked.map((u) => [u.name, u.kind])).toEqual([
      ["some_pkg", "url"],
      ["other", "path"],
      [".", "path"],
      ["from_git", "git"],
      ["from_hg", "git"],
      ["local", "path"],
      ["remote", "url"],
    ]);
  });

  it("ignores options, blank lines and comments", () => {
    expect(parseRequirementsTxt("\n# only comments\n--extra-index-url https://x.example\n-f ./wheels\n--pre\n\n")).toEqual({
      packages: [],
      unchecked: [],
    });
  });

  it("rejects a line that is not a requirement with its line number", () => {
    expect(() => parseRequirementsTxt("foo==1.0\nthis is not valid\n")).toThrow(DependencyInputError);
    expect(() => parseRequirementsTxt("foo==1.0\nthis is not valid\n")).toThrow(/line 2/);
    expect(() => parseRequirementsTxt('{"json": true}')).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
  });
});
