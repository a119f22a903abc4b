import { describe, expect, it } from "vitest";
import { ALPHABET, fakeTokens } from "./fake-token.fixture.js";
import { shannonEntropy } from "./entropy.js";

describe("shannonEntropy", () => {
  it("is 0 for an empty string and for a repeated character", () => {
    expect(shannonEntropy("")).toBe(0);
    expect(shannonEntropy("aaaaaaaa")).toBe(0);
  });

  it("is log2 of the alphabet size when every symbol is equally frequent", () => {
    expect(shannonEntropy("ab")).toBeCloseTo(1, 10);
    expect(shannonEntropy("abcd".repeat(5))).toBeCloseTo(2, 10);
    expect(shannonEntropy(ALPHABET.hex)).toBeCloseTo(4, 10);
  });

  it("weighs symbols by frequency", () => {
    // p = 3/4 and 1/4: -(0.75 log2 0.75 + 0.25 log2 0.25)
    expect(shannonEntropy("aaab")).toBeCloseTo(0.8112781244591328, 10);
  });

  it("separates random tokens from words", () => {
    const fake = fakeTokens(7);
    expect(shannonEntropy(fake(ALPHABET.alnum, 32))).toBeGreaterThan(4.3);
    expect(shannonEntropy("hunter2hunter2hunter2")).toBeLessThan(3);
  });

  it("counts UTF-16 code units", () => {
    expect(shannonEntropy("éé")).toBe(0);
    expect(shannonEntropy("😀")).toBeCloseTo(1, 10);
  });
});
