import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fingerprint } from "./fingerprint.js";

describe("fingerprint", () => {
  it("is the first 32 hex characters of SHA-256(rule \\0 path \\0 secret)", () => {
    const expected = createHash("sha256").update("jwt\0a/b.txt\0s3cr3t").digest("hex").slice(0, 32);
    expect(fingerprint("jwt", "a/b.txt", "s3cr3t")).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{32}$/);
  });

  it("separates its parts so that shifting text between them changes it", () => {
    expect(fingerprint("a", "bc", "d")).not.toBe(fingerprint("ab", "c", "d"));
    expect(fingerprint("a", "b", "cd")).not.toBe(fingerprint("a", "bc", "d"));
  });
});
