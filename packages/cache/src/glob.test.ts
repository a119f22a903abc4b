import { describe, expect, it } from "vitest";
import { globToRegExp } from "./glob.js";

describe("globToRegExp (Redis MATCH syntax)", () => {
  const cases: [string, string[], string[]][] = [
    ["secapi:user:1:*", ["secapi:user:1:", "secapi:user:1:scans:page:2"], ["secapi:user:10:scans", "xsecapi:user:1:a"]],
    ["secapi:scan:?", ["secapi:scan:1"], ["secapi:scan:12"]],
    ["secapi:r:[ab]*", ["secapi:r:a1", "secapi:r:b"], ["secapi:r:c"]],
    ["secapi:r:[^ab]", ["secapi:r:c"], ["secapi:r:a"]],
    ["secapi:r:[0-9]", ["secapi:r:5"], ["secapi:r:x"]],
    ["secapi:lit\\*", ["secapi:lit*"], ["secapi:literal"]],
    ["secapi:pkg:npm/(a).b+", ["secapi:pkg:npm/(a).b+"], ["secapi:pkg:npm/a.bb"]],
  ];
  it.each(cases)("%s", (pattern, matching, other) => {
    const regexp = globToRegExp(pattern);
    for (const key of matching) expect(regexp.test(key), key).toBe(true);
    for (const key of other) expect(regexp.test(key), key).toBe(false);
  });
});
