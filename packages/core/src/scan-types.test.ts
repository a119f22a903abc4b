import { describe, expect, it } from "vitest";
import { inputHash } from "./canonical-input.js";
import { resolveScanType } from "./scan-types.js";

describe("scan types", () => {
  it("knows secrets as a private type and rejects unknown names", () => {
    expect(resolveScanType("secrets")?.private).toBe(true);
    expect(resolveScanType("nope")).toBeUndefined();
  });

  it("canonicalises secrets input so file order does not change the hash", () => {
    const secrets = resolveScanType("secrets");
    if (!secrets) throw new Error("secrets type missing");
    const a = { path: "a.txt", content: "1" };
    const b = { path: "b.txt", content: "2" };
    expect(inputHash(secrets.canonicalize({ files: [a, b] }))).toBe(inputHash(secrets.canonicalize({ files: [b, a] })));
    expect(inputHash(secrets.canonicalize({ files: [a] }))).not.toBe(inputHash(secrets.canonicalize({ files: [b] })));
  });
});

describe("cacheEntryTtlSeconds", () => {
  it("is the longest tier TTL, whichever tier that is", async () => {
    const { loadConfig } = await import("@secapi/config");
    const { cacheEntryTtlSeconds } = await import("./cached-entries.js");
    expect(cacheEntryTtlSeconds(loadConfig({}).tiers)).toBe(604800);
    expect(cacheEntryTtlSeconds(loadConfig({ CACHE_TTL_BUSINESS: "60", CACHE_TTL_PRO: "9000" }).tiers)).toBe(86400);
    expect(cacheEntryTtlSeconds(loadConfig({ CACHE_TTL_FREE: "999999" }).tiers)).toBe(999999);
  });
});
