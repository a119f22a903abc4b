import { describe, expect, it } from "vitest";
import { boundedMemo } from "./bounded-memo.js";

describe("boundedMemo", () => {
  it("computes a key once, undefined results included, and starts over when the limit is reached", () => {
    const calls: string[] = [];
    const memo = boundedMemo(2, (key) => {
      calls.push(key);
      return key === "none" ? undefined : key.length;
    });
    expect([memo("abc"), memo("abc"), memo("none"), memo("none")]).toEqual([3, 3, undefined, undefined]);
    expect(calls).toEqual(["abc", "none"]);
    memo("xy"); // a third key: the memo starts over, holding only it
    expect(memo("xy")).toBe(2);
    memo("abc");
    expect(calls).toEqual(["abc", "none", "xy", "abc"]);
  });
});
