import { describe, expect, it } from "vitest";
import { BlockCache } from "./block-cache.js";
import type { LimitWindow } from "./limit-window.js";
import { planWindows } from "./window-plan.js";

const minute: LimitWindow = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 20 };
const month: LimitWindow = { name: "scans-month", kind: "calendar-month", limit: 100 };
const t0 = Date.UTC(2031, 2, 10, 12, 0, 0);
const plans = (windows: LimitWindow[]) => planWindows("p", "user:1", windows, t0);

function denyMinute(cache: BlockCache, cost = 1) {
  // Redis said: minute full (free in 30.5 s), month has room.
  cache.record("user:1", plans([minute, month]), { allowed: false, used: [20, 40], resetMs: [30_500, 9_000_000] }, cost, t0);
}

describe("BlockCache", () => {
  it("denies from memory until the blocking window frees, with the states Redis reported", () => {
    const cache = new BlockCache(10);
    denyMinute(cache);
    const decision = cache.lookup("user:1", plans([minute, month]), 1, t0 + 10_000);
    expect(decision).toMatchObject({ outcome: "denied", source: "memory", deniedBy: "minute", retryAfterSeconds: 21 });
    expect(decision?.windows.map((w) => [w.name, w.remaining, w.resetSeconds])).toEqual([
      ["minute", 0, 21],
      ["scans-month", 60, 8990],
    ]);
    expect(cache.lookup("user:1", plans([minute]), 1, t0 + 30_499)).toBeDefined();
    expect(cache.lookup("user:1", plans([minute]), 1, t0 + 30_500)).toBeUndefined();
  });

  it("ignores a block when the limit changed (tier upgrade)", () => {
    const cache = new BlockCache(10);
    denyMinute(cache);
    expect(cache.lookup("user:1", plans([{ ...minute, limit: 100 }, month]), 1, t0)).toBeUndefined();
  });

  it("asks Redis when a window of the check is not blocked and unknown, or the cost is smaller than the denied one", () => {
    const cache = new BlockCache(10);
    denyMinute(cache, 3);
    expect(cache.lookup("user:1", plans([minute, { ...month, name: "other" }]), 3, t0)).toBeUndefined();
    expect(cache.lookup("user:1", plans([minute]), 1, t0)).toBeUndefined();
    expect(cache.lookup("user:1", plans([minute]), 3, t0)).toMatchObject({ source: "memory" });
    expect(cache.lookup("user:2", plans([minute]), 3, t0)).toBeUndefined();
  });

  it("does not block on a window that had room", () => {
    const cache = new BlockCache(10);
    denyMinute(cache);
    expect(cache.lookup("user:1", plans([month]), 1, t0)).toBeUndefined();
  });

  it("is bounded and forgets on request", () => {
    const cache = new BlockCache(2);
    for (const subject of ["a", "b", "c"]) {
      cache.record(subject, planWindows("p", subject, [minute], t0), { allowed: false, used: [20], resetMs: [5000] }, 1, t0);
    }
    expect(cache.lookup("a", planWindows("p", "a", [minute], t0), 1, t0)).toBeUndefined();
    expect(cache.lookup("c", planWindows("p", "c", [minute], t0), 1, t0)).toBeDefined();
    cache.forget("c");
    expect(cache.lookup("c", planWindows("p", "c", [minute], t0), 1, t0)).toBeUndefined();
  });
});
