import { describe, expect, it } from "vitest";
import { canonicalJson, inputHash } from "./canonical-input.js";

describe("canonicalJson", () => {
  it("sorts keys at every depth but keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it("gives equal hashes for equal content in any key order, different ones otherwise", () => {
    expect(inputHash({ x: 1, y: [1, 2] })).toBe(inputHash({ y: [1, 2], x: 1 }));
    expect(inputHash({ x: 1, y: [1, 2] })).not.toBe(inputHash({ x: 1, y: [2, 1] }));
    expect(inputHash({})).toMatch(/^[0-9a-f]{64}$/);
  });
});
