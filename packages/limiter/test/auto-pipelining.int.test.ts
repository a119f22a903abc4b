import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RateLimiter } from "../src/index.js";
import { minute } from "./limiter-fixtures.js";

// The apps connect with enableAutoPipelining; the check's binary reply must not depend on a call path that
// ioredis breaks there (callBuffer under auto-pipelining throws inside ioredis and takes the process down).
const prefix = `${uniqueId("rl-autopipe")}:limiter`;
const redis = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true, lazyConnect: true });

afterAll(async () => {
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
});

describe("RateLimiter on an auto-pipelining client", () => {
  it("counts concurrent checks exactly, loading the script on first use", async () => {
    await redis.connect();
    await redis.script("FLUSH");
    const limiter = new RateLimiter({ redis, prefix, failMode: "closed", timeoutMs: 5000 });
    const subject = `user:${uniqueId()}`;
    const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.check({ subject, windows: [minute(20)] })));
    expect(decisions.filter((d) => d.outcome === "allowed")).toHaveLength(20);
    expect(decisions.filter((d) => d.outcome === "denied")).toHaveLength(10);
  });
});
