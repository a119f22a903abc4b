import { describe, expect, it } from "vitest";
import { LineIndex } from "./line-index.js";

describe("LineIndex", () => {
  it("gives 1-based lines and columns", () => {
    const index = new LineIndex("ab\ncd\n\nef");
    expect(index.position(0)).toEqual({ line: 1, column: 1 });
    expect(index.position(1)).toEqual({ line: 1, column: 2 });
    expect(index.position(3)).toEqual({ line: 2, column: 1 });
    expect(index.position(6)).toEqual({ line: 3, column: 1 });
    expect(index.position(8)).toEqual({ line: 4, column: 2 });
  });

  it("returns the line around a span without its CRLF or LF", () => {
    const index = new LineIndex("one\r\ntwo\nthree");
    expect(index.lineAround(1, 2, 100)).toBe("one");
    expect(index.lineAround(5, 6, 100)).toBe("two");
    expect(index.lineAround(12, 15, 100)).toBe("three");
    expect(index.position(5)).toEqual({ line: 2, column: 1 });
  });

  it("cuts a long line to the radius around the span", () => {
    const text = `${"a".repeat(50)}SECRET${"b".repeat(50)}\nnext`;
    expect(new LineIndex(text).lineAround(50, 56, 3)).toBe("aaaSECRETbbb");
  });

  it("keeps only the first line of a span that crosses lines", () => {
    expect(new LineIndex("x BEGIN\nbody\nEND").lineAround(2, 16, 100)).toBe("x BEGIN");
  });

  it("counts columns in UTF-16 code units", () => {
    const text = "é😀x";
    expect(new LineIndex(text).position(text.indexOf("x"))).toEqual({ line: 1, column: 4 });
  });

  it("handles an empty text", () => {
    const index = new LineIndex("");
    expect(index.position(0)).toEqual({ line: 1, column: 1 });
    expect(index.lineAround(0, 0, 10)).toBe("");
  });
});
