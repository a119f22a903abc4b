import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { parseYarnBerryLock } from "./yarn-berry-lock.js";

const WORKSPACE = "a link to a folder of the project (workspace or link:), the project's own code";
const METADATA = "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n";

describe("parseYarnBerryLock", () => {
  it("reads yarn 4 output with workspaces, an alias, a patch and link/portal/file dependencies", () => {
    const set = parseYarnBerryLock(fixtureText("lockfiles/yarn-berry-v4-workspaces.yarn.lock"));
    expect(set.packages).toEqual([
      { ecosystem: "npm", name: "ansi-regex", version: "5.0.1", direct: false, path: ["string-width", "strip-ansi", "ansi-regex"] },
      { ecosystem: "npm", name: "emoji-regex", version: "8.0.0", direct: false, path: ["string-width", "emoji-regex"] },
      {
        ecosystem: "npm",
        name: "function-bind",
        version: "1.1.2",
        direct: false,
        path: ["resolve", "is-core-module", "hasown", "function-bind"],
      },
      { ecosystem: "npm", name: "hasown", version: "2.0.4", direct: false, path: ["resolve", "is-core-module", "hasown"] },
      { ecosystem: "npm", name: "is-core-module", version: "2.18.0", direct: false, path: ["resolve", "is-core-module"] },
      {
        ecosystem: "npm",
        name: "is-fullwidth-code-point",
        version: "3.0.0",
        direct: false,
        path: ["string-width", "is-fullwidth-code-point"],
      },
      // A dependency of the workspace packages/ws-a: the project's too.
      { ecosystem: "npm", name: "is-number", version: "7.0.0", direct: true, path: ["is-number"] },
      { ecosystem: "npm", name: "lodash", version: "4.17.20", direct: true, path: ["lodash"] },
      // A devDependency: berry merges them into the workspace's dependencies, so dev stays absent.
      { ecosystem: "npm", name: "minimist", version: "1.2.5", direct: true, path: ["minimist"] },
      { ecosystem: "npm", name: "ms", version: "2.0.0", direct: true, path: ["ms"] },
      { ecosystem: "npm", name: "ms", version: "2.1.3", direct: true, path: ["ms"] },
      { ecosystem: "npm", name: "path-parse", version: "1.0.7", direct: false, path: ["resolve", "path-parse"] },
      { ecosystem: "npm", name: "resolve", version: "1.22.8", direct: true, path: ["resolve"] },
      // `string-width-cjs@npm:string-width@^4.2.0` resolves to string-width: the alias is the real package.
      { ecosystem: "npm", name: "string-width", version: "4.2.3", direct: true, path: ["string-width"] },
      { ecosystem: "npm", name: "strip-ansi", version: "6.0.1", direct: false, path: ["string-width", "strip-ansi"] },
      {
        ecosystem: "npm",
        name: "supports-preserve-symlinks-flag",
        version: "1.0.0",
        direct: false,
        path: ["resolve", "supports-preserve-symlinks-flag"],
      },
    ]);
    expect(set.unchecked).toEqual([
      { ecosystem: "npm", name: "linked", spec: "linked@link:./linked", kind: "workspace", reason: WORKSPACE },
      {
        ecosystem: "npm",
        name: "local",
        spec: "local@file:./local",
        kind: "path",
        reason: "installed from a local directory (file:), not from the registry",
      },
      { ecosystem: "npm", name: "portal-dep", spec: "portal-dep@portal:./portal", kind: "workspace", reason: WORKSPACE },
      {
        ecosystem: "npm",
        name: "resolve",
        spec: "resolve@patch:resolve@npm%3A1.22.8#optional!builtin<compat/resolve>",
        kind: "path",
        reason: "the package with a yarn patch applied (patch:); the unpatched package is checked through its own entry",
      },
      { ecosystem: "npm", name: "ws-a", spec: "ws-a@workspace:packages/ws-a", kind: "workspace", reason: WORKSPACE },
    ]);
  });

  it("reports git and tarball resolutions by source, and entries it cannot read as unchecked", () => {
    const text =
      METADATA +
      [
        '"from-git@https://github.com/x/from-git.git#commit=0123abc":\n  version: 1.0.0\n  resolution: "from-git@https://github.com/x/from-git.git#commit=0123abc"\n',
        '"hosted@github:x/hosted#commit=0123abc":\n  version: 2.0.0\n  resolution: "hosted@https://github.com/x/hosted.git#commit=0123abc"\n',
        '"tar@https://files.example.com/tar-1.0.0.tgz":\n  version: 1.0.0\n  resolution: "tar@https://files.example.com/tar-1.0.0.tgz"\n',
        '"local-tar@file:./local-tar-1.0.0.tgz::locator=app%40workspace%3A.":\n  version: 1.0.0\n  resolution: "local-tar@file:./local-tar-1.0.0.tgz::hash=abc&locator=app%40workspace%3A."\n',
        '"noresolution@npm:^1":\n  version: 1.0.0\n',
        '"scalar@npm:^1": 1\n',
        '"odd@npm:^1":\n  version: 1.0.0\n  resolution: "odd"\n',
        '"ranged@npm:^1":\n  version: 1.x\n  resolution: "ranged@npm:1.x"\n',
        '"ok@npm:^1":\n  version: 1.0.0\n  resolution: "ok@npm:1.0.0"\n',
      ].join("\n");
    const set = parseYarnBerryLock(text);
    expect(set.packages).toEqual([{ ecosystem: "npm", name: "ok", version: "1.0.0" }]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind])).toEqual([
      ["from-git", "from-git@https://github.com/x/from-git.git#commit=0123abc", "git"],
      ["hosted", "hosted@https://github.com/x/hosted.git#commit=0123abc", "git"],
      ["tar", "tar@https://files.example.com/tar-1.0.0.tgz", "url"],
      ["local-tar", "local-tar@file:./local-tar-1.0.0.tgz", "path"],
      ["noresolution", "noresolution@npm:^1", "malformed_entry"],
      ["scalar", "scalar@npm:^1", "malformed_entry"],
      ["odd", "odd", "malformed_entry"],
      ["ranged", "ranged@1.x", "unpinned"],
    ]);
  });

  it.each([
    ["not YAML", '__metadata:\n  version: 8\n "a": [', /not valid YAML/],
    ["a __metadata that is not a mapping", "__metadata: 8\n", /no __metadata mapping/],
  ])("rejects %s as lockfile_malformed", (_name, text, message) => {
    const attempt = () => parseYarnBerryLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
    expect(attempt).toThrow(message);
  });
});
