import { describe, expect, it } from "vitest";
import { MAX_KEY_PATTERN_LENGTH, keyPatternProblem } from "./cache-key-pattern.js";

describe("keyPatternProblem", () => {
  it("accepts patterns bounded to one key type under the prefix", () => {
    for (const pattern of [
      "secapi:result:dependencies:*",
      "secapi:scan:*",
      "secapi:user:42:scans:*",
      "secapi:auth:ab?d",
      "secapi:result",
      "secapi:user:[ab]*",
    ]) {
      expect(keyPatternProblem(pattern), pattern).toBeUndefined();
    }
    expect(keyPatternProblem("t1:scan:*", "t1")).toBeUndefined();
  });

  it("refuses * alone and anything outside the prefix, pointing to flush", () => {
    for (const pattern of ["*", "**", "?*", "result:*", "other:scan:*", "secapi*", "secapi", "t1:scan:*"]) {
      expect(keyPatternProblem(pattern), pattern).toMatch(/must start with "secapi:".*use flush/);
    }
  });

  it("refuses patterns that do not name the key type literally, pointing to flush", () => {
    for (const pattern of [
      "secapi:*",
      "secapi:",
      "secapi:*:1",
      "secapi:re*:x",
      "secapi:res?lt:*",
      "secapi:[rs]*",
      "secapi:\\*",
      "secapi::x",
    ]) {
      expect(keyPatternProblem(pattern), pattern).toMatch(/key type literally.*use flush/);
    }
  });

  it("refuses the cache's bookkeeping, an empty pattern and an overlong one", () => {
    expect(keyPatternProblem("secapi:__cache:tag:*")).toMatch(/bookkeeping/);
    expect(keyPatternProblem("")).toMatch(/required/);
    expect(keyPatternProblem(`secapi:scan:${"a".repeat(MAX_KEY_PATTERN_LENGTH)}`)).toMatch(/longer than/);
  });
});
