import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LimitWindow, RateLimiter, subjectKey } from "../src/index.js";
import {
  FakeClock,
  bucketTotal,
  buckets,
  connect,
  hour,
  minute,
  month,
  type WindowRef,
  hasState,
  monthCount,
  windowRef,
} from "./limiter-fixtures.js";

const prefix = `${uniqueId("rl")}:limiter`;
const T0 = Date.UTC(2031, 6, 1, 8, 30, 0);
const windows = [minute(10), hour(10), month(10)];
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

const refs = () => windows.map((w) => windowRef(prefix, subject, w, clock.now())) as [WindowRef, WindowRef, WindowRef];
async function usedInRedis(): Promise<number[]> {
  const [minuteRef, hourRef, monthRef] = refs();
  return [await bucketTotal(redis, minuteRef), await bucketTotal(redis, hourRef), Number(await monthCount(redis, monthRef))];
}

describe("peek", () => {
  it("reads the state without consuming, and writes nothing for a new subject", async () => {
    for (let i = 0; i < 5; i++) {
      expect(await limiter.check({ subject, windows, peek: true })).toMatchObject({
        outcome: "allowed",
        windows: [{ used: 0, remaining: 10, resetSeconds: 0 }, { used: 0 }, { used: 0 }],
      });
    }
    expect(await redis.exists(subjectKey(prefix, subject))).toBe(0);
  });

  it("reports whether the cost would fit, and the state after real consumption", async () => {
    await limiter.check({ subject, windows, cost: 8 });
    expect(await limiter.check({ subject, windows, peek: true, cost: 2 })).toMatchObject({
      outcome: "allowed",
      windows: [{ used: 8 }, { used: 8 }, { used: 8 }],
    });
    expect(await limiter.check({ subject, windows, peek: true, cost: 3 })).toMatchObject({ outcome: "denied", deniedBy: "scans-month" });
    expect(await usedInRedis()).toEqual([8, 8, 8]);
    // A denied peek leaves no block behind: the next real check of 2 units goes to Redis and fits.
    expect(await limiter.check({ subject, windows, cost: 2 })).toMatchObject({ outcome: "allowed", source: "redis" });
  });
});

describe("refund", () => {
  it("gives units back to every window", async () => {
    await limiter.check({ subject, windows, cost: 5 });
    await limiter.refund(subject, windows, 2);
    expect(await usedInRedis()).toEqual([3, 3, 3]);
    expect(await limiter.check({ subject, windows, peek: true })).toMatchObject({ windows: [{ used: 3 }, { used: 3 }, { used: 3 }] });
  });

  it("takes from the newest buckets first and never below zero", async () => {
    await limiter.check({ subject, windows, cost: 2 });
    clock.advance(30_000);
    await limiter.check({ subject, windows, cost: 3 });
    await limiter.refund(subject, windows, 4);
    const [minuteRef] = refs();
    // 3 units left the newest bucket, then 1 from the older one.
    expect(await buckets(redis, minuteRef)).toEqual({ [String(Math.floor(T0 / 1000))]: "1" });
    expect(await bucketTotal(redis, minuteRef)).toBe(1);
    await limiter.refund(subject, windows, 50);
    expect(await usedInRedis()).toEqual([0, 0, 0]);
  });

  it("charges more with a negative cost", async () => {
    await limiter.check({ subject, windows });
    await limiter.refund(subject, windows, -4);
    expect(await usedInRedis()).toEqual([5, 5, 5]);
  });

  it("lifts this process's memory block, so the returned capacity is usable at once", async () => {
    await limiter.check({ subject, windows: [minute(2)], cost: 2 });
    expect(await limiter.check({ subject, windows: [minute(2)] })).toMatchObject({ outcome: "denied", source: "redis" });
    expect(await limiter.check({ subject, windows: [minute(2)] })).toMatchObject({ outcome: "denied", source: "memory" });
    await limiter.refund(subject, [minute(2)]);
    expect(await limiter.check({ subject, windows: [minute(2)] })).toMatchObject({ outcome: "allowed", source: "redis" });
  });

  it("does nothing to a month counter that is missing when the durable usage will seed it", async () => {
    const seeded = new RateLimiter({ redis, prefix, clock: clock.now, monthUsage: async () => 4, timeoutMs: 5000 });
    await seeded.refund(subject, [month(10)], 1);
    expect(await hasState(redis, windowRef(prefix, subject, month(10), T0))).toBe(false);
    expect(await seeded.check({ subject, windows: [month(10)] })).toMatchObject({ windows: [{ used: 5 }] });
  });
});

describe("invalid input", () => {
  it("rejects a check the key layout cannot hold instead of guessing", async () => {
    await expect(limiter.check({ subject: "user:{x}", windows })).rejects.toMatchObject({ code: "invalid_limit_check" });
    await expect(limiter.check({ subject, windows: [{ ...minute(1), name: "Bad Name" } as LimitWindow] })).rejects.toMatchObject({
      code: "invalid_limit_check",
    });
  });

  it("rejects a negative cost: units come back through refund, which also clears a remembered denial", async () => {
    await expect(limiter.check({ subject, windows, cost: -1 })).rejects.toMatchObject({ code: "invalid_limit_check" });
  });
});

describe("report-only windows", () => {
  const [minuteWindow, hourWindow, monthWindow] = windows as [LimitWindow, LimitWindow, LimitWindow];
  const reported = [minuteWindow, { ...hourWindow, reportOnly: true }, { ...monthWindow, reportOnly: true }];

  it("are evaluated and returned in the same round trip, and only the counted windows are consumed", async () => {
    await limiter.check({ subject, windows, cost: 3 });
    const decision = await limiter.check({ subject, windows: reported, cost: 2 });
    expect(decision).toMatchObject({
      outcome: "allowed",
      source: "redis",
      windows: [
        { name: "minute", used: 5 },
        { name: "scans-hour", used: 3, remaining: 7 },
        { name: "scans-month", used: 3 },
      ],
    });
    expect(await usedInRedis()).toEqual([5, 3, 3]);
  });

  it("never deny, even exhausted; a counted window still does, and then nothing is consumed", async () => {
    await limiter.check({ subject, windows: [hourWindow, monthWindow], cost: 10 });
    expect(await limiter.check({ subject, windows: reported })).toMatchObject({
      outcome: "allowed",
      windows: [{ used: 1 }, { used: 10, remaining: 0 }, { used: 10, remaining: 0 }],
    });
    await limiter.check({ subject, windows: [minuteWindow], cost: 9 });
    const denied = await limiter.check({ subject, windows: reported });
    expect(denied).toMatchObject({ outcome: "denied", deniedBy: "minute" });
    expect(await usedInRedis()).toEqual([10, 10, 10]);
  });

  it("are not denied from memory by a block that a consuming check of the same window left", async () => {
    await limiter.check({ subject, windows, cost: 10 });
    // Denied by every window: the scan windows are now blocked in memory for consuming checks...
    expect(await limiter.check({ subject, windows: [hourWindow, monthWindow] })).toMatchObject({ outcome: "denied" });
    expect(await limiter.check({ subject, windows: [hourWindow, monthWindow] })).toMatchObject({ outcome: "denied", source: "memory" });
    // ...but a request limit that only reports them is decided by its own window.
    const other = [minute(100, "other-minute"), { ...hourWindow, reportOnly: true }, { ...monthWindow, reportOnly: true }];
    expect(await limiter.check({ subject, windows: other })).toMatchObject({ outcome: "allowed", source: "redis" });
  });

  it("take no refund", async () => {
    await limiter.check({ subject, windows, cost: 4 });
    await limiter.refund(subject, reported, 2);
    expect(await usedInRedis()).toEqual([2, 4, 4]);
  });
});
