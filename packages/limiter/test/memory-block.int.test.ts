import { TestRedisServer, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimiter } from "../src/index.js";
import { FakeClock, connect, hour, minute, scriptCalls } from "./limiter-fixtures.js";

// A server of this file's own: its command counts are ours alone, and it is stopped below.
let server: TestRedisServer;
let redis: Redis;
let probe: Redis;

beforeAll(async () => {
  server = await TestRedisServer.start();
  redis = await connect(server.url());
  probe = await connect(server.url());
});

afterAll(async () => {
  redis.disconnect();
  probe.disconnect();
  await server.stop();
});

const scripts = () => scriptCalls(probe);

describe("memory block", () => {
  it("answers denials from memory until the window frees, without a Redis round trip", async () => {
    const clock = new FakeClock(Date.UTC(2031, 2, 3, 4, 5, 0));
    const limiter = new RateLimiter({ redis, clock: clock.now, timeoutMs: 5000 });
    const subject = `user:${uniqueId()}`;
    const windows = [minute(3), hour(100)];
    for (let i = 0; i < 3; i++) await limiter.check({ subject, windows });
    expect(await limiter.check({ subject, windows })).toMatchObject({ outcome: "denied", source: "redis", retryAfterSeconds: 61 });

    const before = await scripts();
    clock.advance(30_000);
    for (let i = 0; i < 50; i++) {
      expect(await limiter.check({ subject, windows })).toMatchObject({
        outcome: "denied",
        source: "memory",
        deniedBy: "minute",
        retryAfterSeconds: 31,
      });
    }
    const memory = await limiter.check({ subject, windows });
    expect(memory.windows.map((w) => [w.name, w.used, w.remaining, w.resetSeconds])).toEqual([
      ["minute", 3, 0, 31],
      ["scans-hour", 3, 97, 3630],
    ]);
    expect(await scripts()).toBe(before);

    // A peek, another subject, or a raised limit (tier upgrade) still asks Redis.
    await limiter.check({ subject, windows, peek: true });
    await limiter.check({ subject: `user:${uniqueId()}`, windows });
    expect(await limiter.check({ subject, windows: [minute(10), hour(100)] })).toMatchObject({ outcome: "allowed", source: "redis" });
    expect(await scripts()).toBe(before + 3);

    // Proof that no Redis is needed: with the server gone the block still answers, until it expires.
    await server.stop();
    expect(await limiter.check({ subject, windows })).toMatchObject({ outcome: "denied", source: "memory" });
    clock.advance(31_000);
    expect(await limiter.check({ subject, windows })).toMatchObject({ source: "fallback" });
    await server.start();
  });
});
