import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseBunLock } from "./bun-lock.js";

const WORKSPACE = "a link to a folder of the project (workspace or link:), the project's own code";
const GIT = "installed from a git repository, not from the registry; advisories are matched by registry version";

describe("parseBunLock", () => {
  it("reads bun 1.2 output: workspaces give direct and dev, nested install paths resolve, aliases are the real package", () => {
    expect(parseBunLock(fixtureText("lockfiles/bun-v1-workspaces.bun.lock"))).toEqual({
      packages: [
        {
          ecosystem: "npm",
          name: "ansi-regex",
          version: "5.0.1",
          direct: false,
          dev: false,
          path: ["string-width", "strip-ansi", "ansi-regex"],
        },
        { ecosystem: "npm", name: "emoji-regex", version: "8.0.0", direct: false, dev: false, path: ["string-width", "emoji-regex"] },
        {
          ecosystem: "npm",
          name: "is-fullwidth-code-point",
          version: "3.0.0",
          direct: false,
          dev: false,
          path: ["string-width", "is-fullwidth-code-point"],
        },
        { ecosystem: "npm", name: "is-number", version: "7.0.0", direct: true, dev: false, path: ["is-number"] },
        { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, dev: false, path: ["lodash"] },
        { ecosystem: "npm", name: "minimist", version: "1.2.5", direct: true, dev: true, path: ["minimist"] },
        { ecosystem: "npm", name: "ms", version: "2.1.3", direct: true, dev: false, path: ["ms"] },
        { ecosystem: "npm", name: "string-width", version: "4.2.3", direct: true, dev: false, path: ["string-width"] },
        { ecosystem: "npm", name: "strip-ansi", version: "6.0.1", direct: false, dev: false, path: ["string-width", "strip-ansi"] },
        // `ws-a/ms`: the version the workspace ws-a needs, nested under it.
        { ecosystem: "npm", name: "ms", version: "2.0.0", direct: true, dev: false, path: ["ms"] },
      ],
      unchecked: [
        {
          ecosystem: "npm",
          name: "local",
          spec: "local@file:local",
          kind: "path",
          reason: "installed from a local directory (file:), not from the registry",
        },
        { ecosystem: "npm", name: "ws-a", spec: "ws-a@workspace:packages/ws-a", kind: "workspace", reason: WORKSPACE },
      ],
    });
  });

  it("reads comments and trailing commas; git, link and tarball idents are unchecked; odd entries do not fail the file", () => {
    const text = `{
      // bun writes no comments, but reads them
      "lockfileVersion": 1,
      "workspaces": { "": { "name": "app", "dependencies": { "hosted": "github:x/hosted", "a": "1.0.0", }, }, },
      "packages": {
        "hosted": ["hosted@github:x/hosted#0123abc", {}, "x-hosted-0123abc"],
        "from-git": ["from-git@git+https://git.example.com/from-git.git#0123abc", {}, "0123abc"],
        "linked": ["linked@link:linked"],
        "tar": ["tar@https://files.example.com/tar-1.0.0.tgz", {}],
        "scalar": "x",
        "empty": [],
        "a": ["a@1.0.0", "", { "dependencies": { "b": "^2" } }, "sha512-x"],
        "a/b": ["b@2.0.0", "", {}, "sha512-y"], /* nested under a */
        "b": ["b@1.0.0", "", {}, "sha512-z"],
      },
    }`;
    const set = parseBunLock(text);
    expect(set.packages).toEqual([
      { ecosystem: "npm", name: "a", version: "1.0.0", direct: true, dev: false, path: ["a"] },
      { ecosystem: "npm", name: "b", version: "2.0.0", direct: false, dev: false, path: ["a", "b"] },
      { ecosystem: "npm", name: "b", version: "1.0.0" },
    ]);
    expect(set.unchecked).toEqual([
      { ecosystem: "npm", name: "hosted", spec: "hosted@github:x/hosted#0123abc", kind: "git", reason: GIT },
      { ecosystem: "npm", name: "from-git", spec: "from-git@git+https://git.example.com/from-git.git#0123abc", kind: "git", reason: GIT },
      { ecosystem: "npm", name: "linked", spec: "linked@link:linked", kind: "workspace", reason: WORKSPACE },
      {
        ecosystem: "npm",
        name: "tar",
        spec: "tar@https://files.example.com/tar-1.0.0.tgz",
        kind: "url",
        reason: "installed from a tarball URL that is not a registry download",
      },
      {
        ecosystem: "npm",
        name: "scalar",
        spec: "scalar",
        kind: "malformed_entry",
        reason: 'the bun.lock entry is not ["name@version", …]',
      },
      { ecosystem: "npm", name: "empty", spec: "empty", kind: "malformed_entry", reason: 'the bun.lock entry is not ["name@version", …]' },
    ]);
  });

  it("refuses a lockfileVersion it does not know", () => {
    expect(() => parseBunLock('{"lockfileVersion": 9, "packages": {}}')).toThrow(
      expect.objectContaining({ code: "lockfile_unsupported_version" }),
    );
  });

  it.each([
    ["not JSONC", '{"lockfileVersion": 1,, }', /not valid JSON/],
    ["the binary bun.lockb", "#!/usr/bin/env bun\nbun-lockfile-format-v0\n", /not valid JSON/],
    ["JSON without lockfileVersion", '{"packages": {}}', /lockfileVersion is missing/],
    ["packages that are not an object", '{"lockfileVersion": 1, "packages": []}', /`packages` is not an object/],
  ])("rejects %s as lockfile_malformed", (_name, text, message) => {
    const attempt = () => parseBunLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
    expect(attempt).toThrow(message);
  });
});
