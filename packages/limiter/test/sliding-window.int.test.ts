import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LimitCheck, type LimitDecision, type LimitWindow, RateLimiter } from "../src/index.js";
import { FakeClock, bucketTotal, buckets, connect, hour, minute, windowRef } from "./limiter-fixtures.js";

const prefix = `${uniqueId("rl")}:limiter`;
// A minute boundary, so "t = 59 s" below is 59 s into a minute and into bucket 59.
const T0 = Date.UTC(2031, 4, 20, 10, 0, 0);
let redis: Redis;
let clock: FakeClock;
let limiter: RateLimiter;
let subject: string;

beforeAll(async () => {
  redis = await connect(TEST_REDIS_URL);
});

beforeEach(() => {
  clock = new FakeClock(T0);
  limiter = new RateLimiter({ redis, prefix, clock: clock.now, failMode: "closed", timeoutMs: 5000 });
  subject = `user:${uniqueId()}`;
});

afterAll(async () => {
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
});

async function checkAt(seconds: number, windows: LimitWindow[], extra: Partial<LimitCheck> = {}): Promise<LimitDecision> {
  clock.set(T0 + seconds * 1000);
  return limiter.check({ subject, windows, ...extra });
}

async function admitted(seconds: number, windows: LimitWindow[], attempts: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < attempts; i++) if ((await checkAt(seconds, windows)).outcome === "allowed") count++;
  return count;
}

describe("sliding minute window", () => {
  const windows = [minute(20)];

  it("allows no double burst across a minute boundary: only what has left the window is admitted again", async () => {
    expect(await admitted(0.5, windows, 10)).toBe(10);
    expect(await admitted(59, windows, 10)).toBe(10);
    // A fixed window would admit 20 more at t = 60 s: 30 within one second.
    const atBoundary = await checkAt(60.5, windows);
    expect(atBoundary).toMatchObject({ outcome: "denied", deniedBy: "minute", retryAfterSeconds: 1 });
    // Bucket [0 s, 1 s) leaves at 61 s: its 10 units come back, the 10 from t = 59 s do not.
    expect(await admitted(61, windows, 15)).toBe(10);
    const full = await checkAt(61, windows);
    expect(full).toMatchObject({ outcome: "denied", retryAfterSeconds: 59 });
    expect(await admitted(119.9, windows, 5)).toBe(0);
    expect(await admitted(120, windows, 15)).toBe(10);
  });

  it("reports remaining and reset precisely from the buckets", async () => {
    const first = await checkAt(18, windows);
    expect(first).toMatchObject({ outcome: "allowed", source: "redis" });
    // Bucket [18 s, 19 s) counts until 79 s.
    expect(first.windows).toEqual([
      { name: "minute", kind: "sliding", windowSeconds: 60, limit: 20, used: 1, remaining: 19, resetSeconds: 61 },
    ]);
    const second = await checkAt(30, windows);
    expect(second.windows[0]).toMatchObject({ used: 2, remaining: 18, resetSeconds: 49 });
    // When the window is full, reset is when `cost` units will have left: here the units of 18 s and 30 s.
    for (let i = 0; i < 18; i++) await checkAt(40, windows);
    const denied = await checkAt(41, windows, { cost: 2 });
    expect(denied).toMatchObject({ outcome: "denied", retryAfterSeconds: 91 - 41, deniedBy: "minute" });
    expect(denied.windows[0]).toMatchObject({ used: 20, remaining: 0, resetSeconds: 50 });
    expect(await checkAt(41, windows)).toMatchObject({ outcome: "denied", retryAfterSeconds: 79 - 41 });
  });

  it("admits a cost only if all of it fits", async () => {
    await checkAt(1, windows, { cost: 18 });
    expect(await checkAt(2, windows, { cost: 3 })).toMatchObject({ outcome: "denied" });
    expect(await checkAt(2, windows, { cost: 2 })).toMatchObject({ outcome: "allowed", windows: [{ used: 20, remaining: 0 }] });
  });

  it("keeps a window's record bounded and expiring, even at 1,000,000 per minute", async () => {
    const big = [minute(1_000_000)];
    for (let ms = 0; ms < 180_000; ms += 250) {
      clock.set(T0 + ms);
      await limiter.check({ subject, windows: big });
    }
    const ref = windowRef(prefix, subject, big[0] as LimitWindow, T0);
    expect(Object.keys(await buckets(redis, ref)).length).toBeLessThanOrEqual(61);
    expect(await redis.hstrlen(ref.key, `${ref.field}:r`)).toBeLessThanOrEqual(60 * 12); // the closed buckets
    expect(await bucketTotal(redis, ref)).toBe(61 * 4);
    const ttl = await redis.pttl(ref.key);
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
    const last = await limiter.check({ subject, windows: big, peek: true });
    expect(last.windows[0]?.used).toBe(61 * 4); // 4 a second in the 61 counted buckets
  });
});

describe("all windows or none", () => {
  it("does not consume the minute when the hour denies", async () => {
    const windows = [minute(100), hour(5)];
    expect(await admitted(0, windows, 5)).toBe(5);
    const denied = await checkAt(10, windows);
    expect(denied).toMatchObject({ outcome: "denied", deniedBy: "scans-hour", retryAfterSeconds: 3660 - 10 });
    expect(denied.windows.map((w) => [w.name, w.used])).toEqual([
      ["minute", 5],
      ["scans-hour", 5],
    ]);
    expect(await bucketTotal(redis, windowRef(prefix, subject, windows[0] as LimitWindow, T0))).toBe(5);
    // The minute alone still has room: nothing was taken from it by the denied checks.
    expect(await checkAt(11, [minute(100)])).toMatchObject({ outcome: "allowed", windows: [{ used: 6 }] });
  });

  it("names the window that keeps the request out longest when several deny", async () => {
    const windows = [minute(3), hour(3)];
    expect(await admitted(0, windows, 3)).toBe(3);
    const denied = await checkAt(30, windows);
    expect(denied).toMatchObject({ outcome: "denied", deniedBy: "scans-hour", retryAfterSeconds: 3660 - 30 });
  });

  it("frees an hour window by its one-minute buckets", async () => {
    const windows = [hour(2)];
    await checkAt(0, windows);
    await checkAt(600, windows);
    const denied = await checkAt(1200, windows);
    // Bucket [0, 60 s) counts until 60 s + 3600 s.
    expect(denied).toMatchObject({ outcome: "denied", retryAfterSeconds: 3660 - 1200 });
    expect(await checkAt(3659, windows)).toMatchObject({ outcome: "denied" });
    expect(await checkAt(3660, windows)).toMatchObject({ outcome: "allowed" });
  });
});
