import { TestRedisServer } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI_TIMEOUT_MS, secapi } from "./cli-fixture.js";

// A Redis of its own: `cache flush` deletes everything under the production prefix.
let redis: TestRedisServer;
beforeAll(async () => {
  redis = await TestRedisServer.start();
});
afterAll(() => redis.stop());

describe("pnpm secapi cache", { timeout: CLI_TIMEOUT_MS }, () => {
  it("stats counts the entries under the prefix; flush deletes exactly those", async () => {
    const raw = new Redis(redis.url(1));
    try {
      await raw.set("secapi:scan:a", "{}");
      await raw.set("secapi:scan:b", "{}");
      await raw.set("unrelated:key", "stays");
      const env = { REDIS_CACHE_URL: redis.url(1) };
      const stats = await secapi(env, "cache", "stats", "--json");
      expect(stats.code).toBe(0);
      const parsed = JSON.parse(stats.stdout);
      expect(parsed.keys).toBe(2);
      expect(parsed.redis_info.used_memory).toBeGreaterThan(0);

      const flushed = await secapi(env, "cache", "flush");
      expect(flushed.stdout).toContain("Deleted 2 cache entries");
      expect(await raw.exists("secapi:scan:a", "secapi:scan:b")).toBe(0);
      expect(await raw.get("unrelated:key")).toBe("stays");
    } finally {
      raw.disconnect();
    }
  });

  it("delete --pattern deletes the matching entries, everywhere, and refuses unbounded patterns", async () => {
    const raw = new Redis(redis.url(1));
    const listener = new Redis(redis.url(1));
    try {
      await raw.set("secapi:result:dependencies:a", "{}");
      await raw.set("secapi:result:dependencies:b", "{}");
      await raw.set("secapi:result:sbom:c", "{}");
      await raw.set("unrelated:result:dependencies:d", "stays");
      const env = { REDIS_CACHE_URL: redis.url(1) };
      // Every API process listens here for invalidations to apply to its L1.
      const published: string[] = [];
      listener.on("message", (_channel: string, message: string) => published.push(message));
      await listener.subscribe("secapi:invalidate");

      const deleted = await secapi(env, "cache", "delete", "--pattern", "secapi:result:dependencies:*", "--json");
      expect(deleted.code).toBe(0);
      expect(JSON.parse(deleted.stdout)).toEqual({ deleted_keys: 2 });
      expect(await raw.exists("secapi:result:dependencies:a", "secapi:result:dependencies:b")).toBe(0);
      expect(await raw.exists("secapi:result:sbom:c", "unrelated:result:dependencies:d")).toBe(2);
      await expect.poll(() => published.join("\n"), { timeout: 10_000 }).toContain("secapi:result:dependencies:*");

      const text = await secapi(env, "cache", "delete", "--pattern", "secapi:result:sbom:*");
      expect(text.code).toBe(0);
      expect(text.stdout).toContain("Deleted 1 cache entries matching secapi:result:sbom:*");

      for (const pattern of ["*", "secapi:*", "unrelated:*"]) {
        const refused = await secapi(env, "cache", "delete", "--pattern", pattern);
        expect(refused.code, pattern).toBe(1);
        expect(refused.stderr, pattern).toMatch(/flush/);
      }
      expect(await raw.get("unrelated:result:dependencies:d")).toBe("stays");
    } finally {
      raw.disconnect();
      listener.disconnect();
    }
  });

  it("says which Redis it cannot reach", async () => {
    const down = await secapi({ REDIS_CACHE_URL: "redis://127.0.0.1:1/1" }, "cache", "stats");
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach the cache Redis at redis://127.0.0.1:1/1");
  });
});
