import { describe, expect, it } from "vitest";
import { didYouMean, editDistance } from "./did-you-mean.js";

const ECOSYSTEMS = ["npm", "PyPI", "Go", "crates.io"];
const FORMATS = ["package-lock.json", "pnpm-lock.yaml", "yarn.lock", "requirements.txt"];

describe("didYouMean", () => {
  it.each([
    ["pypi", ECOSYSTEMS, "PyPI"],
    ["go", ECOSYSTEMS, "Go"],
    ["NPM", ECOSYSTEMS, "npm"],
    ["Crates.IO", ECOSYSTEMS, "crates.io"],
    ["pnpm", ECOSYSTEMS, "npm"],
    ["crates.oi", ECOSYSTEMS, "crates.io"],
    ["package", ["packages", "lockfile", "format"], "packages"],
    ["lockFile", ["packages", "lockfile", "format"], "lockfile"],
    ["fromat", ["packages", "lockfile", "format"], "format"],
    ["yarn.lok", FORMATS, "yarn.lock"],
    ["package-lock.jsn", FORMATS, "package-lock.json"],
    ["requirement.txt", FORMATS, "requirements.txt"],
  ])("%j among %j → %j", (input, candidates, expected) => {
    expect(didYouMean(input, candidates)).toBe(expected);
  });

  it.each([
    ["Maven", ECOSYSTEMS],
    ["js", ECOSYSTEMS],
    ["crates", ECOSYSTEMS],
    ["Pipfile.lock", FORMATS],
    ["Gemfile.lock", FORMATS],
    ["package.json", FORMATS],
    ["foo", ["packages", "lockfile", "format"]],
    ["", ECOSYSTEMS],
  ])("%j among %j → nothing close enough", (input, candidates) => {
    expect(didYouMean(input, candidates)).toBeUndefined();
  });

  it("prefers a case-only difference over a closer edit, and the nearest of several", () => {
    expect(didYouMean("abc", ["abd", "ABC"])).toBe("ABC");
    expect(didYouMean("format", ["formats", "form"])).toBe("formats");
  });

  it("does not compare very long input", () => {
    expect(didYouMean(`${"x".repeat(100)}`, [`${"x".repeat(99)}`])).toBeUndefined();
  });
});

describe("editDistance", () => {
  it.each([
    ["", "", 0],
    ["abc", "", 3],
    ["", "abc", 3],
    ["kitten", "sitting", 3],
    ["ab", "ba", 1],
    ["format", "fromat", 1],
    ["ca", "abc", 3],
  ])("%j → %j is %i", (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});
