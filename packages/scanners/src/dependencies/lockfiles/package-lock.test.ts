import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { canonicalPackageSet } from "../package-set.js";
import type { PackageSet } from "../package-set.js";
import { parsePackageLock } from "./package-lock.js";
import { expectNpmProjectPlacement } from "./npm-project.fixture.js";
import { expectedEntries } from "./expected-entries.fixture.js";

const npm = expectedEntries("npm");

const lock = (body: Record<string, unknown>): string => JSON.stringify({ name: "app", version: "1.0.0", requires: true, ...body });
// Most tests here are about sources; placement (direct, dev, path) has its own tests.
const unplaced = (set: PackageSet, keep: readonly ("dev" | "direct" | "path")[] = []): PackageSet => ({
  packages: set.packages.map((p) => ({
    ecosystem: p.ecosystem,
    name: p.name,
    version: p.version,
    ...Object.fromEntries(keep.filter((k) => p[k] !== undefined).map((k) => [k, p[k]])),
  })),
  unchecked: set.unchecked,
});
const GIT = "installed from a git repository, not from the registry; advisories are matched by registry version";

describe("parsePackageLock", () => {
  it("reads v2/v3 packages by install path: scopes, nesting, aliases; skips the root and workspace folders", () => {
    const text = lock({
      lockfileVersion: 3,
      packages: {
        "": { name: "app", version: "1.0.0", dependencies: { "file-dep": "file:../file-dep" } },
        "node_modules/@babel/core": { version: "7.22.0", dev: true },
        "node_modules/a/node_modules/@scope/b": { version: "2.0.0" },
        "node_modules/string-width-cjs": { name: "string-width", version: "4.2.3" },
        "node_modules/my-workspace": { resolved: "packages/my-workspace", link: true },
        "packages/my-workspace": { name: "my-workspace", version: "0.1.0" },
        "packages/my-workspace/node_modules/left-pad": { version: "1.3.0" },
        "node_modules/file-dep": { resolved: "../file-dep", link: true },
        "../file-dep": { version: "1.0.0" },
        "node_modules/from-git": { version: "1.0.0", resolved: "git+ssh://git@github.com/x/from-git.git#abc" },
      },
    });
    expect(unplaced(parsePackageLock(text))).toEqual({
      packages: npm.packages(["@babel/core", "7.22.0"], ["@scope/b", "2.0.0"], ["string-width", "4.2.3"], ["left-pad", "1.3.0"]),
      unchecked: [
        {
          ecosystem: "npm",
          name: "my-workspace",
          spec: "my-workspace@link:packages/my-workspace",
          kind: "workspace",
          reason: "a link to a folder of the project (workspace or link:), the project's own code",
        },
        {
          ecosystem: "npm",
          name: "file-dep",
          spec: "file-dep@file:../file-dep",
          kind: "path",
          reason: "installed from a local directory (file:), not from the registry",
        },
        { ecosystem: "npm", name: "from-git", spec: "from-git@git+ssh://git@github.com/x/from-git.git#abc", kind: "git", reason: GIT },
      ],
    });
  });

  it("reports a git dependency without a version (as npm writes it) as unchecked and checks the rest", () => {
    const text = lock({
      lockfileVersion: 3,
      packages: {
        "": { name: "app", version: "1.0.0" },
        "node_modules/from-git": { resolved: "git+ssh://git@github.com/x/from-git.git#0123456789abcdef0123456789abcdef01234567" },
        "node_modules/left-pad": { version: "1.3.0", resolved: "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz" },
      },
    });
    expect(unplaced(parsePackageLock(text))).toEqual({
      packages: [{ ecosystem: "npm", name: "left-pad", version: "1.3.0" }],
      unchecked: [
        {
          ecosystem: "npm",
          name: "from-git",
          spec: "from-git@git+ssh://git@github.com/x/from-git.git#0123456789abcdef0123456789abcdef01234567",
          kind: "git",
          reason: GIT,
        },
      ],
    });
  });

  it("checks a registry download from any host, and reports other tarballs by where they come from", () => {
    const text = lock({
      lockfileVersion: 3,
      packages: {
        "node_modules/@scope/mirrored": {
          version: "1.0.0",
          resolved: "https://nexus.example.com/repository/npm/@scope/mirrored/-/mirrored-1.0.0.tgz",
        },
        "node_modules/encoded": {
          name: "@scope/encoded",
          version: "2.0.0",
          resolved: "https://npm.example.com/@scope%2fencoded/-/encoded-2.0.0.tgz",
        },
        "node_modules/forked": { version: "1.0.0", resolved: "https://files.example.com/forked-1.0.0.tgz" },
        "node_modules/impostor": { version: "1.0.0", resolved: "https://files.example.com/other/-/impostor-1.0.0.tgz" },
        "node_modules/vendored": { version: "4.17.20", resolved: "file:vendor/vendored-4.17.20.tgz" },
        "node_modules/hosted": { version: "3.0.0", resolved: "https://codeload.github.com/x/hosted/tar.gz/0123abc" },
      },
    });
    const set = unplaced(parsePackageLock(text));
    expect(set.packages).toEqual(npm.packages(["@scope/mirrored", "1.0.0"], ["@scope/encoded", "2.0.0"]));
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind, u.reason])).toEqual([
      [
        "forked",
        "forked@https://files.example.com/forked-1.0.0.tgz",
        "url",
        "installed from a tarball URL that is not a registry download",
      ],
      [
        "impostor",
        "impostor@https://files.example.com/other/-/impostor-1.0.0.tgz",
        "url",
        "installed from a tarball URL that is not a registry download",
      ],
      ["vendored", "vendored@file:vendor/vendored-4.17.20.tgz", "path", "installed from a local tarball (file:), not from the registry"],
      ["hosted", "hosted@https://codeload.github.com/x/hosted/tar.gz/0123abc", "git", GIT],
    ]);
  });

  it("reports an entry it cannot read as unchecked and checks the rest", () => {
    const text = lock({
      lockfileVersion: 2,
      packages: {
        "": "the root may be anything",
        "node_modules/not-an-object": "1.0.0",
        "node_modules/numeric": { version: 5 },
        "node_modules/named-wrong": { name: ["x"], version: "1.0.0" },
        "node_modules/no-version": {},
        "node_modules/tagged": { version: "latest" },
        "node_modules/ranged": { version: "^1.0.0" },
        "node_modules/ok": { version: "1.0.0" },
      },
    });
    const set = unplaced(parsePackageLock(text));
    expect(set.packages).toEqual([{ ecosystem: "npm", name: "ok", version: "1.0.0" }]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind, u.reason])).toEqual([
      ["not-an-object", "not-an-object", "malformed_entry", "the package-lock entry is not an object"],
      ["numeric", "numeric", "malformed_entry", "the package-lock entry's version is not a string"],
      ["named-wrong", "named-wrong", "malformed_entry", "the package-lock entry's name is not a string"],
      ["no-version", "no-version", "no_version", "the lockfile gives no version for it"],
      ["tagged", "tagged@latest", "invalid_version", "the version is not a SemVer version"],
      ["ranged", "ranged@^1.0.0", "unpinned", "a range, not one installed version"],
    ]);
  });

  it("reads the v1 dependency tree, nested and aliased; non-registry versions are unchecked", () => {
    const text = lock({
      lockfileVersion: 1,
      dependencies: {
        mkdirp: { version: "0.5.1", dependencies: { minimist: { version: "0.0.8" } } },
        "cjs-alias": { version: "npm:string-width@4.2.3", resolved: "https://registry.npmjs.org/string-width/-/string-width-4.2.3.tgz" },
        local: { version: "file:../local" },
        forked: { version: "github:someone/forked#0123456789abcdef" },
        remote: { version: "https://example.com/remote-1.0.0.tgz" },
      },
    });
    const set = unplaced(parsePackageLock(text));
    expect(set.packages).toEqual(npm.packages(["mkdirp", "0.5.1"], ["string-width", "4.2.3"], ["minimist", "0.0.8"]));
    expect(set.unchecked.map((u) => [u.spec, u.kind])).toEqual([
      ["local@file:../local", "path"],
      ["forked@github:someone/forked#0123456789abcdef", "git"],
      ["remote@https://example.com/remote-1.0.0.tgz", "url"],
    ]);
  });

  it("reports a v1 entry it cannot read as unchecked and checks the rest, nested ones included", () => {
    const text = lock({
      lockfileVersion: 1,
      dependencies: {
        a: null,
        b: { dependencies: {} },
        c: { version: "1.0.0", dependencies: "nested" },
        d: { version: "1.0.0", dependencies: { e: { version: 2 }, f: { version: "2.0.0" } } },
      },
    });
    const set = unplaced(parsePackageLock(text));
    expect(set.packages).toEqual(npm.packages(["c", "1.0.0"], ["d", "1.0.0"], ["f", "2.0.0"]));
    expect(set.unchecked.map((u) => [u.name, u.kind, u.reason])).toEqual([
      ["a", "malformed_entry", "the package-lock entry is not an object"],
      ["b", "no_version", "the lockfile gives no version for it"],
      ["c", "malformed_entry", "the package-lock entry's dependencies are not an object"],
      ["e", "malformed_entry", "the package-lock entry's version is not a string"],
    ]);
  });

  it("reads the dependencies tree of a lockfileVersion 2 or 3 without packages, as npm does", () => {
    // npm 8 writes both layouts; without `packages` the tree must give the same set.
    const v2 = JSON.parse(fixtureText("lockfiles/npm-v2.package-lock.json")) as Record<string, unknown>;
    // The tree does not say what the project declared: direct and paths come from `packages` only.
    const withPackages = unplaced(canonicalPackageSet(parsePackageLock(JSON.stringify(v2))), ["dev"]);
    delete v2.packages;
    expect(canonicalPackageSet(parsePackageLock(JSON.stringify(v2)))).toEqual(withPackages);
    expect(canonicalPackageSet(parsePackageLock(JSON.stringify({ ...v2, lockfileVersion: 3 })))).toEqual(withPackages);
    expect(withPackages.packages).toHaveLength(84);
  });

  it.each([
    ["v1 without dependencies", { lockfileVersion: 1 }],
    ["v3 without packages or dependencies", { lockfileVersion: 3 }],
    ["v3 with null packages", { lockfileVersion: 3, packages: null }],
  ])("accepts %s as an empty set, as npm does", (_name, body) => {
    expect(parsePackageLock(lock(body))).toEqual({ packages: [], unchecked: [] });
  });

  it.each([
    ["not JSON", "{ lockfileVersion: 3", "lockfile_malformed", /not valid JSON \(line 1, column 3\)/],
    ["JSON that is not an object", "[1, 2]", "lockfile_malformed", /top level/],
    ["no lockfileVersion", lock({}), "lockfile_malformed", /lockfileVersion/],
    ["a string lockfileVersion", '{"lockfileVersion": "3"}', "lockfile_malformed", /lockfileVersion/],
    ["lockfileVersion 4", lock({ lockfileVersion: 4, packages: {} }), "lockfile_unsupported_version", /lockfileVersion 4 .*1, 2, 3/],
    ["packages that are not an object", lock({ lockfileVersion: 3, packages: [1] }), "lockfile_malformed", /`packages` is not an object/],
    [
      "v1 dependencies that are not an object",
      lock({ lockfileVersion: 1, dependencies: [] }),
      "lockfile_malformed",
      /`dependencies` is not an object/,
    ],
  ])("rejects %s with %s", (_name, text, code, message) => {
    const attempt = () => parsePackageLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
    expect(attempt).toThrow(message);
  });

  it("does not echo the input in its error message", () => {
    const secret = "x".repeat(10_000);
    try {
      parsePackageLock(`{"lockfileVersion": 4, "packages": {"${secret}": 1}}`);
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });
});

describe("parsePackageLock placement", () => {
  it("marks the root's declared dependencies direct, npm's dev flag as dev, and paths along node's resolution (npm 11 output)", () => {
    const set = canonicalPackageSet(parsePackageLock(fixtureText("lockfiles/npm-v3.package-lock.json")));
    const placed = (name: string, version: string) => set.packages.find((p) => p.name === name && p.version === version);
    expectNpmProjectPlacement(set.packages);
    expect(placed("minimist", "1.2.5")).toMatchObject({ direct: true, path: ["minimist"] });
  });

  it("counts workspaces' dependencies as direct, follows links to their folders, and prefers the production path", () => {
    const text = lock({
      lockfileVersion: 3,
      packages: {
        "": { name: "app", workspaces: ["packages/*"], dependencies: { ws: "*" }, devDependencies: { tool: "1.0.0" } },
        "node_modules/ws": { resolved: "packages/ws", link: true },
        "packages/ws": { name: "ws", version: "0.1.0", dependencies: { a: "^1" } },
        "node_modules/a": { version: "1.0.0", dependencies: { shared: "^1" } },
        "node_modules/tool": { version: "1.0.0", dev: true, dependencies: { shared: "^1" } },
        "node_modules/shared": { version: "1.0.0" },
        "node_modules/stray": { version: "1.0.0", extraneous: true },
      },
    });
    expect(parsePackageLock(text).packages).toEqual([
      { ecosystem: "npm", name: "a", version: "1.0.0", dev: false, direct: true, path: ["a"] },
      { ecosystem: "npm", name: "tool", version: "1.0.0", dev: true, direct: true, path: ["tool"] },
      { ecosystem: "npm", name: "shared", version: "1.0.0", dev: false, direct: false, path: ["a", "shared"] },
      // Nothing declares it: npm's flags are all the file says.
      { ecosystem: "npm", name: "stray", version: "1.0.0", dev: false },
    ]);
  });
});
