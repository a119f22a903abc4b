import { describe, expect, it } from "vitest";
import { CacheKeys, queryHash } from "./cache-keys.js";

const user = "8d1e8f5e-0d5c-4a4e-9d51-3f5d1c1f0b7a";
const hash = "a".repeat(64);

describe("CacheKeys", () => {
  const keys = new CacheKeys();

  it("builds the documented keys", () => {
    expect(keys.result({ scanType: "dependencies", ownerId: null, inputHash: hash })).toBe(`secapi:result:dependencies:${hash}`);
    expect(keys.result({ scanType: "secrets", ownerId: user, inputHash: hash })).toBe(`secapi:result:secrets:${user}:${hash}`);
    expect(keys.scan(user)).toBe(`secapi:scan:${user}`);
    expect(keys.user(user, "stats")).toBe(`secapi:user:${user}:stats`);
    expect(keys.auth(hash)).toBe(`secapi:auth:${hash}`);
  });

  it("parses back scan and result keys, under any prefix", () => {
    const other = new CacheKeys("t1234");
    for (const k of [keys, other]) {
      expect(k.parse(k.scan(user))).toEqual({ kind: "scan", scanId: user });
      expect(k.parse(k.result({ scanType: "secrets", ownerId: user, inputHash: hash }))).toEqual({
        kind: "result",
        key: { scanType: "secrets", ownerId: user, inputHash: hash },
      });
      expect(k.parse(k.result({ scanType: "sbom", ownerId: null, inputHash: hash }))).toEqual({
        kind: "result",
        key: { scanType: "sbom", ownerId: null, inputHash: hash },
      });
      expect(k.parse(k.auth(hash))).toEqual({ kind: "other" });
    }
    expect(other.parse(keys.scan(user))).toEqual({ kind: "other" });
  });

  it("hashes equal queries equally, whatever the key order", () => {
    expect(queryHash({ a: 1, b: "x" })).toBe(queryHash({ b: "x", a: 1 }));
    expect(queryHash({ a: 1 })).not.toBe(queryHash({ a: 2 }));
  });
});
