import { describe, expect, it } from "vitest";
import { fallbackAllowance, fitsShare, reportedUsage } from "./fallback-share.js";

const grid = (limits: number[], processCounts: number[]) =>
  limits.flatMap((limit) =>
    processCounts.flatMap((processes) => Array.from({ length: limit + 3 }, (_, seen) => ({ limit, seen, processes }))),
  );

describe("fallbackAllowance", () => {
  it("is this process's share of what is left, rounded down, never negative", () => {
    expect(fallbackAllowance({ limit: 10, seen: 0, processes: 1 })).toBe(10);
    expect(fallbackAllowance({ limit: 10, seen: 4, processes: 2 })).toBe(3);
    expect(fallbackAllowance({ limit: 10, seen: 0, processes: 3 })).toBe(3);
    expect(fallbackAllowance({ limit: 20, seen: 7, processes: 4 })).toBe(3);
    expect(fallbackAllowance({ limit: 10, seen: 0, processes: 11 })).toBe(0);
    expect(fallbackAllowance({ limit: 10, seen: 12, processes: 2 })).toBe(0); // usage above a lowered limit
  });

  it("keeps N processes that saw the same usage within the limit together", () => {
    for (const share of grid([1, 5, 10, 20, 100], [1, 2, 3, 4, 7, 16])) {
      const together = share.processes * fallbackAllowance(share);
      expect(Math.min(share.seen, share.limit) + together).toBeLessThanOrEqual(share.limit);
      // ...and leaves unused fewer units than there are processes (rounding down, nothing more).
      if (share.seen <= share.limit) expect(share.limit - share.seen - together).toBeLessThan(share.processes);
    }
  });

  it("lets processes that saw different usage exceed the limit by at most what the least informed had not seen", () => {
    const limit = 10;
    const redisHeld = 6; // usage in Redis when it went away
    for (const seenByEach of [
      [6, 6],
      [6, 2],
      [0, 0],
      [0, 6, 3],
      [6, 6, 6, 1],
    ]) {
      const processes = seenByEach.length;
      const admitted = seenByEach.reduce((sum, seen) => sum + fallbackAllowance({ limit, seen, processes }), 0);
      expect(redisHeld + admitted).toBeLessThanOrEqual(limit + (redisHeld - Math.min(...seenByEach)));
    }
  });
});

describe("fitsShare and reportedUsage", () => {
  it("admit exactly up to the allowance", () => {
    for (const share of grid([1, 5, 10, 20], [1, 2, 3, 5])) {
      const allowance = fallbackAllowance(share);
      for (let own = 0; own <= allowance + 2; own++) {
        for (const cost of [0, 1, 2, 3]) {
          const expected = share.seen <= share.limit && own + cost <= allowance;
          expect({ share, own, cost, fits: fitsShare(share, own, cost) }).toEqual({ share, own, cost, fits: expected });
        }
      }
    }
  });

  it("report a usage that denies exactly when the cost does not fit, and leaves this process's share as remaining", () => {
    for (const share of grid([1, 5, 10, 20], [1, 2, 3, 5])) {
      const allowance = fallbackAllowance(share);
      for (let own = 0; own <= allowance + 1; own++) {
        const used = reportedUsage(share, own);
        for (const cost of [0, 1, 2]) expect(used + cost > share.limit).toBe(!fitsShare(share, own, cost));
        expect(Math.max(0, share.limit - used)).toBe(Math.max(0, allowance - own));
      }
    }
  });

  it("report the whole known usage when one process counts", () => {
    expect(reportedUsage({ limit: 10, seen: 4, processes: 1 }, 3)).toBe(7);
    expect(reportedUsage({ limit: 10, seen: 12, processes: 1 }, 0)).toBe(12);
    expect(reportedUsage({ limit: 10, seen: 0, processes: 1 }, 0)).toBe(0);
  });
});
