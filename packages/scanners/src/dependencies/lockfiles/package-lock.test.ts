import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { parsePackageLock } from "./package-lock.js";

const lock = (body: Record<string, unknown>): string => JSON.stringify({ name: "app", version: "1.0.0", requires: true, ...body });

describe("parsePackageLock", () => {
  it("reads v2/v3 packages by install path: scopes, nesting, aliases; skips the root, workspaces and links", () => {
    const text = lock({
      lockfileVersion: 3,
      packages: {
        "": { name: "app", version: "1.0.0" },
        "node_modules/@babel/core": { version: "7.22.0", dev: true },
        "node_modules/a/node_modules/@scope/b": { version: "2.0.0" },
        "node_modules/string-width-cjs": { name: "string-width", version: "4.2.3" },
        "node_modules/my-workspace": { resolved: "packages/my-workspace", link: true },
        "packages/my-workspace": { name: "my-workspace", version: "0.1.0" },
        "node_modules/from-git": { version: "1.0.0", resolved: "git+ssh://git@github.com/x/from-git.git#abc" },
      },
    });
    expect(parsePackageLock(text)).toEqual({
      packages: [
        { ecosystem: "npm", name: "@babel/core", version: "7.22.0" },
        { ecosystem: "npm", name: "@scope/b", version: "2.0.0" },
        { ecosystem: "npm", name: "string-width", version: "4.2.3" },
        { ecosystem: "npm", name: "from-git", version: "1.0.0" },
      ],
      unchecked: [],
    });
  });

  it("reads the v1 dependency tree, nested and aliased; non-registry versions are unchecked", () => {
    const text = lock({
      lockfileVersion: 1,
      dependencies: {
        mkdirp: { version: "0.5.1", dependencies: { minimist: { version: "0.0.8" } } },
        "cjs-alias": { version: "npm:string-width@4.2.3" },
        local: { version: "file:../local" },
        forked: { version: "github:someone/forked#0123456789abcdef" },
      },
    });
    const set = parsePackageLock(text);
    expect(set.packages).toEqual([
      { ecosystem: "npm", name: "mkdirp", version: "0.5.1" },
      { ecosystem: "npm", name: "string-width", version: "4.2.3" },
      { ecosystem: "npm", name: "minimist", version: "0.0.8" },
    ]);
    expect(set.unchecked.map((u) => u.spec)).toEqual(["local@file:../local", "forked@github:someone/forked#0123456789abcdef"]);
  });

  it("accepts a v1 lock without dependencies", () => {
    expect(parsePackageLock(lock({ lockfileVersion: 1 }))).toEqual({ packages: [], unchecked: [] });
  });

  it.each([
    ["not JSON", "{ lockfileVersion: 3", "lockfile_malformed", /not valid JSON \(line 1, column 3\)/],
    ["JSON that is not an object", "[1, 2]", "lockfile_malformed", /top level/],
    ["no lockfileVersion", lock({}), "lockfile_malformed", /lockfileVersion/],
    ["lockfileVersion 4", lock({ lockfileVersion: 4, packages: {} }), "lockfile_unsupported_version", /lockfileVersion 4 .*1, 2, 3/],
    ["v3 without packages", lock({ lockfileVersion: 3 }), "lockfile_malformed", /packages/],
    ["a package without a version", lock({ lockfileVersion: 2, packages: { "node_modules/x": {} } }), "lockfile_malformed", /node_modules\/x.*version/],
    ["a package that is not an object", lock({ lockfileVersion: 3, packages: { "node_modules/x": "1.0.0" } }), "lockfile_malformed", /node_modules\/x/],
    ["v1 dependencies that are not an object", lock({ lockfileVersion: 1, dependencies: [] }), "lockfile_malformed", /dependencies/],
    ["a v1 dependency without a version", lock({ lockfileVersion: 1, dependencies: { a: { dependencies: {} } } }), "lockfile_malformed", /"a"/],
  ])("rejects %s with %s", (_name, text, code, message) => {
    const attempt = () => parsePackageLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
    expect(attempt).toThrow(message);
  });

  it("does not echo the input in its error message", () => {
    const secret = "x".repeat(10_000);
    try {
      parsePackageLock(`{"lockfileVersion": 3, "packages": {"${secret}": 1}}`);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});
