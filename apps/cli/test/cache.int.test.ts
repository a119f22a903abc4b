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

  it("says which Redis it cannot reach", async () => {
    const down = await secapi({ REDIS_CACHE_URL: "redis://127.0.0.1:1/1" }, "cache", "stats");
    expect(down.code).toBe(1);
    expect(down.stderr).toContain("cannot reach the cache Redis at redis://127.0.0.1:1/1");
  });
});
