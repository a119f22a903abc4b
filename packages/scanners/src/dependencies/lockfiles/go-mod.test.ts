import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseGoMod } from "./go-mod.js";

const LOCAL = "replaced by a local directory, not a module version";

describe("parseGoMod", () => {
  it("reads require blocks with // indirect, applies replace directives, ignores exclude and retract, and adds stdlib at the toolchain", () => {
    expect(parseGoMod(fixtureText("lockfiles/go.mod"))).toEqual({
      packages: [
        { ecosystem: "Go", name: "github.com/gin-gonic/gin", version: "v1.9.0", direct: true },
        { ecosystem: "Go", name: "github.com/google/uuid", version: "v1.3.0", direct: true },
        { ecosystem: "Go", name: "golang.org/x/text", version: "v0.3.5", direct: true },
        { ecosystem: "Go", name: "github.com/docker/docker", version: "v20.10.7+incompatible", direct: false },
        { ecosystem: "Go", name: "github.com/pkg/errors", version: "v0.9.1", direct: false },
        { ecosystem: "Go", name: "golang.org/x/net", version: "v0.0.0-20220722155237-a158d28d115b", direct: false },
        { ecosystem: "Go", name: "github.com/someone/forked", version: "v1.0.1", direct: false },
        { ecosystem: "Go", name: "stdlib", version: "1.21.3" },
      ],
      unchecked: [{ ecosystem: "Go", name: "example.com/local", spec: "example.com/local@../local", kind: "path", reason: LOCAL }],
    });
  });

  it("reads one-line requires, quoted paths and `indirect;` comments; a version-specific replace wins over one for every version", () => {
    const text = [
      "module example.com/m",
      "go 1.20",
      'require "github.com/a/b" v1.0.0 // indirect; needed by c',
      "require github.com/c/d v2.1.0+incompatible //indirect",
      "require github.com/e/f v0.1.0 // not indirect",
      "require github.com/g/h v1.2.3",
      "replace github.com/g/h => github.com/g/h-fork v1.2.4",
      "replace github.com/g/h v1.2.3 => github.com/g/h v1.2.5",
      "replace (",
      "\tgithub.com/e/f v0.1.0 => /abs/path/f",
      ")",
    ].join("\n");
    expect(parseGoMod(text)).toEqual({
      packages: [
        { ecosystem: "Go", name: "github.com/a/b", version: "v1.0.0", direct: false },
        { ecosystem: "Go", name: "github.com/c/d", version: "v2.1.0+incompatible", direct: false },
        { ecosystem: "Go", name: "github.com/g/h", version: "v1.2.5", direct: true },
        { ecosystem: "Go", name: "stdlib", version: "1.20.0" },
      ],
      unchecked: [{ ecosystem: "Go", name: "github.com/e/f", spec: "github.com/e/f@/abs/path/f", kind: "path", reason: LOCAL }],
    });
  });

  it("reads Go release names as OSV's stdlib versions; no go line means no stdlib", () => {
    const stdlib = (text: string) => parseGoMod(text).packages.filter((p) => p.name === "stdlib");
    expect(stdlib("module m\ngo 1.21rc2")).toEqual([{ ecosystem: "Go", name: "stdlib", version: "1.21.0-rc.2" }]);
    expect(stdlib("module m\ngo 1.22.1\ntoolchain go1.23.0-custom")).toEqual([{ ecosystem: "Go", name: "stdlib", version: "1.23.0" }]);
    expect(stdlib("module m\ngo 1.22.1\ntoolchain default")).toEqual([{ ecosystem: "Go", name: "stdlib", version: "1.22.1" }]);
    expect(stdlib("module m")).toEqual([]);
  });

  it("puts a require it cannot check in unchecked and reads on", () => {
    const text = ["module m", "require (", "  github.com/a/b latest", "  github.com/c/d", "  github.com/e/f v1.0.0", ")"].join("\n");
    expect(parseGoMod(text)).toEqual({
      packages: [{ ecosystem: "Go", name: "github.com/e/f", version: "v1.0.0", direct: true }],
      unchecked: [
        {
          ecosystem: "Go",
          name: "github.com/a/b",
          spec: "github.com/a/b@latest",
          kind: "invalid_version",
          reason: "the version is not a Go module version",
        },
        {
          ecosystem: "Go",
          name: "github.com/c/d",
          spec: "github.com/c/d",
          kind: "malformed_entry",
          reason: "go.mod line 4: a require takes a module path and a version",
        },
      ],
    });
  });

  it("reads an empty module and empty blocks", () => {
    expect(parseGoMod("module m\n\nrequire ()\n")).toEqual({ packages: [], unchecked: [] });
  });

  it.each([
    ["JSON", '{"lockfileVersion": 3}', 'go.mod line 1: unknown directive "{\\"lockfileVersion\\":"'],
    ["a Cargo.lock", "version = 4\n[[package]]", 'go.mod line 1: unknown directive "version"'],
    ["an unclosed block", "module m\nrequire (\n  a v1.0.0", "go.mod: a require block is not closed"],
    [
      "a replace without =>",
      "module m\nreplace a v1.0.0 b v1.0.0",
      "go.mod line 2: a replace is `module [version] => module version` or `module [version] => directory`",
    ],
    ["an unterminated string", 'module "m', "go.mod line 1: unterminated string"],
  ])("refuses %s as not a go.mod", (_name, text, message) => {
    expect(() => parseGoMod(text)).toThrow(DependencyInputError);
    expect(() => parseGoMod(text)).toThrow(message);
  });
});
