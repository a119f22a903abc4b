import { describe, expect, it } from "vitest";
import { secretsInputSchema } from "./secrets-input.js";

describe("secretsInputSchema", () => {
  it("accepts files with a path and content, including empty content", () => {
    const input = {
      files: [
        { path: "a.env", content: "" },
        { path: "src/b.ts", content: "x" },
      ],
    };
    expect(secretsInputSchema.parse(input)).toEqual(input);
  });

  it.each([
    ["no files", { files: [] }],
    ["a missing files key", {}],
    ["an empty path", { files: [{ path: "", content: "x" }] }],
    ["a path over 4096 characters", { files: [{ path: "a".repeat(4097), content: "x" }] }],
    ["non-string content", { files: [{ path: "a", content: 1 }] }],
    ["missing content", { files: [{ path: "a" }] }],
    ["an unknown file key", { files: [{ path: "a", content: "x", mode: "0644" }] }],
    ["an unknown top-level key", { files: [{ path: "a", content: "x" }], extra: true }],
  ])("rejects %s", (_name, input) => {
    expect(secretsInputSchema.safeParse(input).success).toBe(false);
  });

  it("accepts 10,000 files and rejects 10,001", () => {
    const files = Array.from({ length: 10_000 }, (_, i) => ({ path: `f${i}`, content: "" }));
    expect(secretsInputSchema.safeParse({ files }).success).toBe(true);
    expect(secretsInputSchema.safeParse({ files: [...files, { path: "one-more", content: "" }] }).success).toBe(false);
  });
});
