import { describe, expect, it } from "vitest";
import { findUnstorableText, unstorableReason } from "./storable-text.js";

describe("findUnstorableText", () => {
  it("finds NUL and unpaired surrogates in values and keys, with their paths, outer ones first", () => {
    const value = {
      files: [
        { path: "ok.txt", content: "fine" },
        { path: "a\u0000b", content: "x\ud800" },
      ],
      "key\udc00": 1,
      nested: [[["\u0000"]]],
    };
    expect(findUnstorableText(value)).toEqual([
      { path: ["key\udc00"], inKey: true, codeUnit: 0xdc00, offset: 3 },
      { path: ["files", 1, "path"], inKey: false, codeUnit: 0, offset: 1 },
      { path: ["files", 1, "content"], inKey: false, codeUnit: 0xd800, offset: 1 },
      { path: ["nested", 0, 0, 0], inKey: false, codeUnit: 0, offset: 0 },
    ]);
  });

  it("accepts surrogate pairs, other control characters and non-strings", () => {
    expect(findUnstorableText({ emoji: "😀\ud83d\ude00", bell: "\u0001\u0007\uffff", n: 1, b: true, z: null, list: [] })).toEqual([]);
    expect(findUnstorableText("plain")).toEqual([]);
    expect(findUnstorableText("\u0000")).toEqual([{ path: [], inKey: false, codeUnit: 0, offset: 0 }]);
  });

  it("finds a high surrogate at the very end and a low surrogate at the very start", () => {
    expect(findUnstorableText("abc\ud83d")).toEqual([{ path: [], inKey: false, codeUnit: 0xd83d, offset: 3 }]);
    expect(findUnstorableText("\ude00abc")).toEqual([{ path: [], inKey: false, codeUnit: 0xde00, offset: 0 }]);
  });

  it("stops at the limit and walks deep nesting without recursion", () => {
    expect(
      findUnstorableText(
        Array.from({ length: 100 }, () => "\u0000"),
        5,
      ),
    ).toHaveLength(5);
    let deep: unknown = "\u0000";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findUnstorableText(deep)).toEqual([expect.objectContaining({ codeUnit: 0, path: expect.any(Array) })]);
  });

  it("says what the character is and where", () => {
    expect(unstorableReason({ path: [], inKey: false, codeUnit: 0, offset: 2 })).toMatch(/^contains U\+0000 \(NUL\) at character 3/);
    expect(unstorableReason({ path: [], inKey: true, codeUnit: 0xd800, offset: 0 })).toMatch(
      /^key contains an unpaired UTF-16 surrogate \(U\+D800\) at character 1/,
    );
  });
});
