import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { TestRedisCluster } from "./redis-cluster.js";

describe("TestRedisCluster", () => {
  it("starts three masters sharing the slots, and stops them and removes their files", async () => {
    const cluster = await TestRedisCluster.start();
    const { dir } = cluster;
    try {
      const client = cluster.connect();
      for (let i = 0; i < 60; i++) await client.set(`spread:${i}`, "x");
      const perMaster = await cluster.keysPerMaster("spread:*");
      expect(perMaster).toHaveLength(3);
      expect(perMaster.every((n) => n > 0)).toBe(true);
      expect(perMaster.reduce((a, b) => a + b)).toBe(60);
      expect(existsSync(dir)).toBe(true);
    } finally {
      await cluster.stop();
    }
    expect(existsSync(dir)).toBe(false);
    expect(
      await cluster.keysPerMaster("*").then(
        () => "answered",
        () => "down",
      ),
    ).toBe("down");
  }, 120_000);
});
