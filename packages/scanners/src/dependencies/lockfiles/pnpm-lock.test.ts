import { describe, expect, it } from "vitest";
import { DependencyInputError } from "../dependency-input-error.js";
import { parsePnpmLock } from "./pnpm-lock.js";

describe("parsePnpmLock", () => {
  it("reads 9.x keys, scoped, with peer suffixes; skips local file: packages", () => {
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
    expect(parsePnpmLock(text).packages).toEqual([
      { ecosystem: "npm", name: "@babel/core", version: "7.22.0" },
      { ecosystem: "npm", name: "react-dom", version: "18.2.0" },
    ]);
  });

  it("reads 6.x keys with a leading slash and peer suffixes, and the slash form", () => {
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
      "    version: 0.0.0",
    ].join("\n");
    expect(parsePnpmLock(text).packages).toEqual([
      { ecosystem: "npm", name: "@types/react-dom", version: "18.2.0" },
      { ecosystem: "npm", name: "left-pad", version: "1.3.0" },
    ]);
  });

  it("reads 5.x keys with peer hashes", () => {
    const text = ["lockfileVersion: 5.4", "packages:", "  /@scope/pkg/1.0.0_react@18.2.0+@types+react@18.0.0:", "    dev: false", "  /plain/2.0.0: {}"].join("\n");
    expect(parsePnpmLock(text).packages).toEqual([
      { ecosystem: "npm", name: "@scope/pkg", version: "1.0.0" },
      { ecosystem: "npm", name: "plain", version: "2.0.0" },
    ]);
  });

  it("uses the entry's name and version for tarball and git packages; other non-registry versions are unchecked", () => {
    const text = [
      "lockfileVersion: '9.0'",
      "packages:",
      "  forked@https://codeload.github.com/x/forked/tar.gz/0123abc:",
      "    resolution: {tarball: https://codeload.github.com/x/forked/tar.gz/0123abc}",
      "    version: 2.1.0",
      "  unnamed@https://example.com/unnamed.tgz:",
      "    resolution: {tarball: https://example.com/unnamed.tgz}",
    ].join("\n");
    const set = parsePnpmLock(text);
    expect(set.packages).toEqual([{ ecosystem: "npm", name: "forked", version: "2.1.0" }]);
    expect(set.unchecked).toEqual([expect.objectContaining({ name: "unnamed", spec: "unnamed@https://example.com/unnamed.tgz" })]);
  });

  it("accepts a lockfile without packages", () => {
    expect(parsePnpmLock("lockfileVersion: '9.0'\nimporters:\n  .: {}\n")).toEqual({ packages: [], unchecked: [] });
  });

  it.each([
    ["not YAML", "lockfileVersion: '9.0'\npackages:\n  a: b: c\n", "lockfile_malformed", /not valid YAML \(at line 3, column/],
    ["a scalar", "just text", "lockfile_malformed", /top level/],
    ["no lockfileVersion", "packages: {}\n", "lockfile_malformed", /lockfileVersion/],
    ["lockfileVersion 3.9", "lockfileVersion: 3.9\n", "lockfile_unsupported_version", /3\.9.*5\.x to 9\.x/],
    ["lockfileVersion 10", "lockfileVersion: '10.0'\n", "lockfile_unsupported_version", /10\.0/],
    ["packages as a list", "lockfileVersion: '9.0'\npackages:\n  - a\n", "lockfile_malformed", /packages/],
    ["a key without a version", "lockfileVersion: '9.0'\npackages:\n  justaname: {}\n", "lockfile_malformed", /justaname/],
  ])("rejects %s with %s", (_name, text, code, message) => {
    const attempt = () => parsePnpmLock(text);
    expect(attempt).toThrow(DependencyInputError);
    expect(attempt).toThrow(expect.objectContaining({ code }));
    expect(attempt).toThrow(message);
  });

  it("refuses an alias bomb instead of expanding it", () => {
    const lines = ["lockfileVersion: '9.0'", "a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i < 9; i++) lines.push(`${"b".repeat(i + 1)}: &${"b".repeat(i + 1)} [${Array(10).fill(`*${i === 0 ? "a" : "b".repeat(i)}`).join(", ")}]`);
    expect(() => parsePnpmLock(lines.join("\n"))).toThrow(expect.objectContaining({ code: "lockfile_malformed" }));
  });
});
