import { describe, expect, it } from "vitest";
import { FallbackLimiter } from "./fallback-limiter.js";
import {
  BUCKETS_PER_WINDOW,
  bucketExpiresAtMs,
  bucketIndex,
  bucketWidthMs,
  countedUsage,
  msUntilFreed,
  oldestCountedBucket,
  unitsToFree,
} from "./sliding-window.js";
import { planWindows } from "./window-plan.js";

describe("bucket widths", () => {
  it("uses 1 s buckets for a minute and 1 min buckets for an hour", () => {
    expect(bucketWidthMs(60)).toBe(1000);
    expect(bucketWidthMs(3600)).toBe(60_000);
    expect(bucketWidthMs(1)).toBe(1000);
    expect(bucketWidthMs(86_400)).toBe(1_440_000);
  });

  it("never counts more than 61 buckets, whatever the limit, so a 1,000,000/min window stays small", () => {
    for (const seconds of [1, 10, 59, 60, 61, 90, 3600, 3601, 86_400]) {
      const bucketMs = bucketWidthMs(seconds);
      const windowMs = seconds * 1000;
      for (const nowMs of [0, 999, 1000, 1_763_000_123_456]) {
        const counted = bucketIndex(nowMs, bucketMs) - oldestCountedBucket(nowMs, windowMs, bucketMs) + 1;
        expect(counted).toBeLessThanOrEqual(BUCKETS_PER_WINDOW + 1);
      }
    }
  });
});

describe("which buckets count", () => {
  const windowMs = 60_000;
  const bucketMs = 1000;

  it("counts a unit from its bucket's start until its bucket's end plus the window", () => {
    // A unit at t = 12.3 s lies in bucket 12 and counts until 13 s + 60 s.
    expect(bucketIndex(12_300, bucketMs)).toBe(12);
    expect(bucketExpiresAtMs(12, windowMs, bucketMs)).toBe(73_000);
    const buckets = new Map([[12, 1]]);
    expect(countedUsage(buckets, 72_999, windowMs, bucketMs)).toBe(1);
    expect(countedUsage(buckets, 73_000, windowMs, bucketMs)).toBe(0);
  });

  it("counts every unit consumed in (now − window, now], so no interval of the window's length exceeds the limit", () => {
    for (let nowMs = 60_000; nowMs < 62_000; nowMs += 137) {
      const oldest = oldestCountedBucket(nowMs, windowMs, bucketMs);
      expect(bucketIndex(nowMs - windowMs + 1, bucketMs)).toBeGreaterThanOrEqual(oldest);
    }
  });

  it("never reports negative usage", () => {
    expect(countedUsage(new Map([[5, -3]]), 5000, windowMs, bucketMs)).toBe(0);
  });
});

describe("reset arithmetic", () => {
  it("asks for one unit to leave when the cost still fits, enough for the cost when it does not, nothing when empty", () => {
    expect(unitsToFree(0, 20, 1)).toBe(0);
    expect(unitsToFree(5, 20, 1)).toBe(1);
    expect(unitsToFree(20, 20, 1)).toBe(1);
    expect(unitsToFree(19, 20, 3)).toBe(2);
    expect(unitsToFree(25, 20, 1)).toBe(6); // limit lowered below usage (tier downgrade)
    expect(unitsToFree(3, 5, 10)).toBe(3); // a cost above the limit waits for a full reset
  });

  it("walks buckets oldest first until enough has left", () => {
    const buckets = new Map([
      [10, 2],
      [30, 5],
      [59, 3],
    ]);
    const nowMs = 59_500;
    expect(msUntilFreed(buckets, 1, nowMs, 60_000, 1000)).toBe(71_000 - nowMs);
    expect(msUntilFreed(buckets, 2, nowMs, 60_000, 1000)).toBe(71_000 - nowMs);
    expect(msUntilFreed(buckets, 3, nowMs, 60_000, 1000)).toBe(91_000 - nowMs);
    expect(msUntilFreed(buckets, 10, nowMs, 60_000, 1000)).toBe(120_000 - nowMs);
    expect(msUntilFreed(buckets, 0, nowMs, 60_000, 1000)).toBe(0);
  });
});

describe("no double burst (randomised, against the fallback's implementation of these rules)", () => {
  it("admits at most `limit` in every interval of the window's length", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const limit = 7;
    const windowSeconds = 10;
    const limiter = new FallbackLimiter(10);
    const admitted: number[] = [];
    let nowMs = 1_700_000_000_000;
    for (let i = 0; i < 5000; i++) {
      nowMs += Math.floor(random() * 700);
      const plans = planWindows("t", "s", [{ name: "w", kind: "sliding", windowSeconds, limit }], nowMs);
      if (limiter.check("s", plans, 1, false, nowMs, 1).allowed) admitted.push(nowMs);
    }
    for (let i = 0; i + limit < admitted.length; i++) {
      expect((admitted[i + limit] ?? 0) - (admitted[i] ?? 0)).toBeGreaterThanOrEqual(windowSeconds * 1000);
    }
    expect(admitted.length).toBeGreaterThan(1000);
  });
});
