import { describe, expect, it } from "vitest";
import { apkScheme } from "./apk.js";

// [a, b, sign of compare(a, b)] by apk-tools' src/version.c (token_cmp and apk_version_compare).
const ORDER: [a: string, b: string, order: number][] = [
  ["1.2.3", "1.2.3", 0],
  ["1.2.3-r0", "1.2.3", 1],
  ["1.2.3-r1", "1.2.3-r0", 1],
  ["1.2.3-r10", "1.2.3-r9", 1],
  ["1.2.3", "1.2.4", -1],
  ["1.2.10", "1.2.9", 1],
  ["1.2", "1.2.0", -1],
  ["1", "1.0", -1],
  ["1.2.3_alpha", "1.2.3_beta", -1],
  ["1.2.3_beta", "1.2.3_pre", -1],
  ["1.2.3_pre", "1.2.3_rc", -1],
  ["1.2.3_rc", "1.2.3", -1],
  ["1.2.3", "1.2.3_cvs", -1],
  ["1.2.3_cvs", "1.2.3_svn", -1],
  ["1.2.3_svn", "1.2.3_git", -1],
  ["1.2.3_git", "1.2.3_hg", -1],
  ["1.2.3_hg", "1.2.3_p", -1],
  ["1.2.3_rc1", "1.2.3_rc2", -1],
  ["1.2.3_rc10", "1.2.3_rc9", 1],
  ["1.2.3_rc1", "1.2.3-r0", -1],
  ["1.2.3_rc1-r5", "1.2.3-r0", -1],
  ["1.2.3_rc1-r1", "1.2.3_rc1-r0", 1],
  ["1.2.3_rc", "1.2.3_rc1", -1],
  ["1.2.3_p1", "1.2.3", 1],
  ["1.2.3_p1", "1.2.3-r9", 1],
  ["1.2.3_p1", "1.2.4", -1],
  ["1.2.3_p1", "1.2.3.1", -1],
  ["1.2.3_p2", "1.2.3_p10", -1],
  ["1.2.3a", "1.2.3", 1],
  ["1.2.3a", "1.2.3b", -1],
  ["1.2.3a", "1.2.4", -1],
  ["1.2.3a", "1.2.3.1", -1],
  ["1.2.3a", "1.2.3_p1", 1],
  ["1.2.3a", "1.2.3_rc1", 1],
  ["1.1.1w-r1", "1.1.1v-r0", 1],
  ["3.1.4-r5", "3.1.4-r6", -1],
  ["3.1.4-r6", "3.1.5-r0", -1],
  ["3.0.12-r4", "3.1.4-r0", -1],
  ["1.36.1-r15", "1.36.1-r2", 1],
  ["1.01", "1.1", -1],
  ["1.001", "1.01", -1],
  ["1.01", "1.009", 1],
  ["1.0", "1.0-r0", -1],
  ["1.2.3_alpha1_p2", "1.2.3_alpha1", 1],
  ["1.2.3_alpha1_p2", "1.2.3_alpha2", -1],
  ["1.2.3_rc1_p1", "1.2.3", -1],
  ["1.2.3_rc1", "1.2.3_rc1_alpha", 1],
  ["2.0", "1.99999", 1],
  ["20240101", "20231231", 1],
  ["0.9.8z-r0", "0.9.8y-r9", 1],
  ["1.2.3~abc123", "1.2.3~def456", -1],
  ["1.2.3~abc123-r1", "1.2.3-r1", 1],
  ["1.2.3_git20240101-r0", "1.2.3-r9", 1],
  ["1.2.3_git20240101", "1.2.3_git20231231", 1],
  ["2.40.1-r0", "2.40.1_rc1-r0", 1],
];

describe("apkScheme", () => {
  it.each(ORDER)("orders %s against %s as %i, and both the other way round", (a, b, order) => {
    expect(apkScheme.compare(a, b)).toBe(order);
    expect(apkScheme.compare(b, a)).toBe(-order || 0);
    expect(apkScheme.key(a) === apkScheme.key(b)).toBe(order === 0);
  });

  it("reads only what apk-tools validates", () => {
    for (const version of ["", "v1.0", "1.0-r", "1.0_foo", "1.2a3", "1.2ab", "1.0-r1_p1", "1.0-1", "1.0a.1", "1.0~xyz"])
      expect([version, apkScheme.key(version)]).toEqual([version, null]);
    expect(apkScheme.key("3.1.4_rc1-r0")).not.toBeNull();
    expect(apkScheme.key("01.2")).toBe(apkScheme.key("1.2"));
    expect(apkScheme.compare("1.0", "v1.0")).toBeNaN();
  });
});
