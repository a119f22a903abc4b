import { describe, expect, it } from "vitest";
import { CacheKeyError } from "./errors/cache-key-error.js";
import { KeyLayout } from "./key-layout.js";

describe("KeyLayout", () => {
  const layout = new KeyLayout("secapi");

  it("classifies keys by the segment after the prefix", () => {
    expect(layout.keyType("secapi:result:dependencies:abc")).toBe("result");
    expect(layout.keyType("secapi:scan:123")).toBe("scan");
    expect(layout.keyType("secapi:user:42:scans")).toBe("user");
    expect(layout.keyType("secapi:auth:deadbeef")).toBe("auth");
    expect(layout.keyType("secapi:solo")).toBe("solo");
  });

  it("accepts only keys under the prefix and outside its internal namespace", () => {
    expect(() => layout.assertEntryKey("secapi:scan:1")).not.toThrow();
    for (const key of ["scan:1", "secapi", "secapi:", "secapix:scan:1", "secapi:__cache:fence"]) {
      expect(() => layout.assertEntryKey(key), key).toThrow(CacheKeyError);
    }
  });

  it("tells entries from bookkeeping", () => {
    expect(layout.isEntry("secapi:scan:1")).toBe(true);
    expect(layout.isEntry(layout.tag("user:1"))).toBe(false);
    expect(layout.isEntry(layout.lock("secapi:scan:1"))).toBe(false);
    expect(layout.isEntry(layout.fence)).toBe(false);
  });
});
