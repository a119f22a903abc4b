import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { fixtureText } from "../fixtures.fixture.js";
import { canonicalPackageSet } from "../package-set.js";
import { parsePnpmLock } from "./pnpm-lock.js";
import { expectNpmProjectPlacement } from "./npm-project.fixture.js";

const GIT = "installed from a git repository, not from the registry; advisories are matched by registry version";
const DIRECTORY = "installed from a local directory (file:), not from the registry";
const WORKSPACE = "a link to a folder of the project (workspace or link:), the project's own code";

describe("parsePnpmLock", () => {
  it("reads 9.x keys, scoped, with peer suffixes; reports local file: packages as unchecked", () => {
    const text = [
      "lockfileVersion: '9.0'",
      "packages:",
      "  '@babel/core@7.22.0':",
      "    resolution: {integrity: sha512-x}",
      "  react-dom@18.2.0:",
      "    resolution: {integrity: sha512-y}",
      "  local@file:packages/local:",
      "    resolution: {directory: packages/local, type: directory}",
      "snapshots:",
      "  react-dom@18.2.0(react@18.2.0): {}",
    ].join("\n");
    expect(parsePnpmLock(text)).toEqual({
      packages: [
        { ecosystem: "npm", name: "@babel/core", version: "7.22.0" },
        { ecosystem: "npm", name: "react-dom", version: "18.2.0" },
      ],
      unchecked: [{ ecosystem: "npm", name: "local", spec: "local@file:packages/local", kind: "path", reason: DIRECTORY }],
    });
  });

  it("reads 6.x keys with a leading slash and peer suffixes, and the slash form; a file: package needs no version", () => {
    const text = [
      "lockfileVersion: '6.0'",
      "packages:",
      "  /@types/react-dom@18.2.0(@types/react@18.2.0)(react@18.2.0):",
      "    dev: true",
      "  /left-pad/1.3.0:",
      "    dev: false",
      "  file:packages/local:",
      "    resolution: {directory: packages/local, type: directory}",
      "    name: local",
    ].join("\n");
    expect(parsePnpmLock(text)).toEqual({
      packages: [
        { ecosystem: "npm", name: "@types/react-dom", version: "18.2.0", dev: true },
        { ecosystem: "npm", name: "left-pad", version: "1.3.0", dev: false },
      ],
      unchecked: [{ ecosystem: "npm", name: "local", spec: "local@file:packages/local", kind: "path", reason: DIRECTORY }],
    });
  });

  it("reads 5.x keys with peer hashes", () => {
    const text = [
      "lockfileVersion: 5.4",
      "packages:",
      "  /@scope/pkg/1.0.0_react@18.2.0+@types+react@18.0.0:",
      "    dev: false",
      "  /plain/2.0.0: {}",
    ].join("\n");
    expect(parsePnpmLock(text)).toEqual({
      packages: [
        { ecosystem: "npm", name: "@scope/pkg", version: "1.0.0", dev: false },
        // pnpm 5.x/6.x omit `dev` only for a package both trees need; here nothing says where it sits.
        { ecosystem: "npm", name: "plain", version: "2.0.0" },
      ],
      unchecked: [],
    });
  });

  it.each([
    ["5.x", "5.4", ["registry.npmjs.org/foo/1.1.0", "example.com/bar/2.0.0_peer@1.0.0", "registry.npmjs.org/@scope/baz/3.0.0"]],
    ["6.x", "'6.0'", ["registry.npmjs.org/foo@1.1.0", "example.com/bar@2.0.0(peer@1.0.0)", "registry.npmjs.org/@scope/baz@3.0.0"]],
    ["6.x in the slash form", "'6.0'", ["registry.npmjs.org/foo/1.1.0", "example.com/bar/2.0.0", "registry.npmjs.org/@scope/baz/3.0.0"]],
  ])("resolves %s keys that name the registry host to the package, without the host", (_name, version, keys) => {
    const text = [
      `lockfileVersion: ${version}`,
      "packages:",
      ...keys.map((key) => `  ${key}:\n    resolution: {integrity: sha512-x}`),
    ].join("\n");
    expect(parsePnpmLock(text)).toEqual({
      packages: [
        { ecosystem: "npm", name: "foo", version: "1.1.0" },
        { ecosystem: "npm", name: "bar", version: "2.0.0" },
        { ecosystem: "npm", name: "@scope/baz", version: "3.0.0" },
      ],
      unchecked: [],
    });
  });

  it("checks registry tarballs from any registry; reports git, local and other tarballs by where they come from", () => {
    const text = [
      "lockfileVersion: '9.0'",
      "packages:",
      "  forked@https://codeload.github.com/x/forked/tar.gz/0123abc:",
      "    resolution: {tarball: https://codeload.github.com/x/forked/tar.gz/0123abc}",
      "    version: 2.1.0",
      "  other-git@git+https://git.example.com/other-git.git#0123abc:",
      "    resolution: {commit: 0123abc, repo: https://git.example.com/other-git.git, type: git}",
      "    version: 1.0.0",
      "  unnamed@https://example.com/unnamed.tgz:",
      "    resolution: {tarball: https://example.com/unnamed.tgz}",
      "  vendored@file:vendor/vendored-4.17.20.tgz:",
      "    resolution: {integrity: sha512-x, tarball: file:vendor/vendored-4.17.20.tgz}",
      "    version: 4.17.20",
      "  mirrored@1.2.5:",
      "    resolution: {integrity: sha512-x, tarball: https://registry.yarnpkg.com/mirrored/-/mirrored-1.2.5.tgz}",
    ].join("\n");
    const set = parsePnpmLock(text);
    expect(set.packages).toEqual([{ ecosystem: "npm", name: "mirrored", version: "1.2.5" }]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind, u.reason])).toEqual([
      ["forked", "forked@https://codeload.github.com/x/forked/tar.gz/0123abc", "git", GIT],
      ["other-git", "other-git@git+https://git.example.com/other-git.git#0123abc", "git", GIT],
      ["unnamed", "unnamed@https://example.com/unnamed.tgz", "url", "installed from a tarball URL that is not a registry download"],
      ["vendored", "vendored@file:vendor/vendored-4.17.20.tgz", "path", "installed from a local tarball (file:), not from the registry"],
    ]);
  });

  it("reports 5.x/6.x git packages under a host key by the name in the entry", () => {
    const text = [
      "lockfileVersion: 5.4",
      "packages:",
      "  github.com/x/forked/0123abc:",
      "    resolution: {tarball: https://codeload.github.com/x/forked/tar.gz/0123abc}",
      "    name: forked",
      "    version: 2.1.0",
    ].join("\n");
    expect(parsePnpmLock(text).unchecked).toEqual([
      { ecosystem: "npm", name: "forked", spec: "forked@https://codeload.github.com/x/forked/tar.gz/0123abc", kind: "git", reason: GIT },
    ]);
  });

  it("reports the importers' link: dependencies (workspace packages, linked folders) as unchecked", () => {
    const v5 = [
      "lockfileVersion: 5.4",
      "importers:",
      "  .:",
      "    dependencies:",
      "      ws-a: link:packages/ws-a",
      "    devDependencies:",
      "      linked: link:../linked",
    ];
    const v9 = [
      "lockfileVersion: '9.0'",
      "importers:",
      "  packages/ws-b:",
      "    optionalDependencies:",
      "      ws-a:",
      "        specifier: workspace:*",
      "        version: link:../ws-a",
    ];
    const single = ["lockfileVersion: '6.0'", "dependencies:", "  linked:", "    specifier: link:../linked", "    version: link:../linked"];
    expect(parsePnpmLock(v5.join("\n")).unchecked.map((u) => [u.spec, u.kind, u.reason])).toEqual([
      ["ws-a@link:packages/ws-a", "workspace", WORKSPACE],
      ["linked@link:../linked", "workspace", WORKSPACE],
    ]);
    expect(parsePnpmLock(v9.join("\n")).unchecked.map((u) => u.spec)).toEqual(["ws-a@link:../ws-a"]);
    expect(parsePnpmLock(single.join("\n")).unchecked.map((u) => u.spec)).toEqual(["linked@link:../linked"]);
  });

  it("reports an entry it cannot read as unchecked and checks the rest", () => {
    const text = [
      "lockfileVersion: '9.0'",
      "packages:",
      "  justaname: {}",
      "  scalar@1.0.0: 7",
      "  listed@1.0.0: [a]",
      "  tagged@latest: {}",
      "  numbered@1.0.0:",
      "    version: 1.0",
      "  nulled@1.0.0:",
      "  ok@1.0.0: {}",
    ].join("\n");
    const set = parsePnpmLock(text);
    expect(set.packages).toEqual([
      { ecosystem: "npm", name: "nulled", version: "1.0.0" },
      { ecosystem: "npm", name: "ok", version: "1.0.0" },
    ]);
    expect(set.unchecked.map((u) => [u.name, u.spec, u.kind, u.reason])).toEqual([
      ["justaname", "justaname", "malformed_entry", "the pnpm-lock key names no package"],
      ["scalar", "scalar@1.0.0", "malformed_entry", "the pnpm-lock entry is not a mapping"],
      ["listed", "listed@1.0.0", "malformed_entry", "the pnpm-lock entry is not a mapping"],
      ["tagged", "tagged@latest", "invalid_version", "the version is not a SemVer version"],
      ["numbered", "numbered@1.0.0", "malformed_entry", "the pnpm-lock entry's version is not a string"],
    ]);
  });

  it.each([
    ["an empty file", ""],
    ["a comment-only file", "# pnpm-lock.yaml: nothing installed yet\n\n# another comment\n"],
    ["an empty document", "---\n"],
  ])("reads %s as no packages (pnpm ignores it like a missing lockfile)", (_name, text) => {
    expect(parsePnpmLock(text)).toEqual({ packages: [], unchecked: [] });
  });

  it("accepts a lockfile without packages", () => {
    expect(parsePnpmLock("lockfileVersion: '9.0'\nimporters:\n  .: {}\n")).toEqual({ packages: [], unchecked: [] });
  });

  it.each([
    ["not YAML", "lockfileVersion: '9.0'\npackages:\n  a: b: c\n", "lockfile_malformed", /not valid YAML \(at line 3, column/],
    ["a scalar", "just text", "lockfile_malformed", /top level/],
    ["a list", "- lockfileVersion: '9.0'\n", "lockfile_malformed", /top level/],
    ["no lockfileVersion", "packages: {}\n", "lockfile_malformed", /lockfileVersion/],
    ["lockfileVersion 3.9", "lockfileVersion: 3.9\n", "lockfile_unsupported_version", /3\.9.*5\.x to 9\.x/],
    ["lockfileVersion 10", "lockfileVersion: '10.0'\n", "lockfile_unsupported_version", /10\.0/],
    ["packages as a list", "lockfileVersion: '9.0'\npackages:\n  - a\n", "lockfile_malformed", /packages/],
  ])("rejects %s with %s", (_name, text, code, message) => {
    const attempt = () => parsePnpmLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
    expect(attempt).toThrow(message);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const lines = ["lockfileVersion: '9.0'", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 9; i++)
      lines.push(
        `${"b".repeat(i + 1)}: &${"b".repeat(i + 1)} [${Array(10)
          .fill(`*${i === 0 ? "a" : "b".repeat(i)}`)
          .join(", ")}]`,
      );
    expect(() => parsePnpmLock(lines.join("\n"))).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
  });
});

describe("parsePnpmLock placement", () => {
  it.each(["pnpm-v5.4.pnpm-lock.yaml", "pnpm-v6.pnpm-lock.yaml", "pnpm-v9.pnpm-lock.yaml"])(
    "%s: importers' dependencies are direct, devDependencies dev, and paths follow the packages' dependencies",
    (file) => {
      const set = canonicalPackageSet(parsePnpmLock(fixtureText(`lockfiles/${file}`)));
      const placed = (name: string, version: string) => set.packages.find((p) => p.name === name && p.version === version);
      expectNpmProjectPlacement(set.packages);
      // Reached through a peer-suffixed entry (react-dom's).
      expect(placed("scheduler", "0.23.2")).toMatchObject({ direct: false, path: ["react-dom", "scheduler"] });
    },
  );
});
