import { describe, expect, it } from "vitest";
import { FallbackLimiter } from "./fallback-limiter.js";
import type { LimitWindow } from "./limit-window.js";
import { planWindows } from "./window-plan.js";

const minute: LimitWindow = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 5 };
const hour: LimitWindow = { name: "hour", kind: "sliding", windowSeconds: 3600, limit: 8 };
const month: LimitWindow = { name: "month", kind: "calendar-month", limit: 10 };
const t0 = Date.UTC(2031, 2, 10, 12, 0, 0);
const plan = (windows: LimitWindow[], nowMs: number) => planWindows("p", "user:1", windows, nowMs);

function run(limiter: FallbackLimiter, windows: LimitWindow[], nowMs: number, cost = 1, peek = false, processes = 1) {
  return limiter.check("user:1", plan(windows, nowMs), cost, peek, nowMs, processes);
}

/** What Redis answered to a check of `windows` at `nowMs`: `used` per window, as this process sees it. */
function seeFromRedis(limiter: FallbackLimiter, windows: LimitWindow[], used: number[], nowMs: number, seq: number): void {
  limiter.observe("user:1", plan(windows, nowMs), { allowed: true, used, resetMs: used.map(() => 0) }, nowMs, seq);
}

/** Fallback admissions of one check after another until the first denial. */
function admittedUntilDenied(limiter: FallbackLimiter, windows: LimitWindow[], nowMs: number, processes: number): number {
  let admitted = 0;
  while (run(limiter, windows, nowMs, 1, false, processes).allowed) admitted++;
  return admitted;
}

describe("FallbackLimiter", () => {
  it("admits up to each limit and denies beyond, consuming from no window when one denies", () => {
    const limiter = new FallbackLimiter(100);
    const results = Array.from({ length: 7 }, (_, i) => run(limiter, [minute, hour, month], t0 + i).allowed);
    expect(results).toEqual([true, true, true, true, true, false, false]);
    const state = run(limiter, [hour, month], t0 + 10, 1, true);
    expect(state.used).toEqual([5, 5]);
  });

  it("frees a minute's usage only once its bucket has left the window, then reports when", () => {
    const limiter = new FallbackLimiter(100);
    for (let i = 0; i < 5; i++) run(limiter, [minute], t0 + 59_000);
    expect(run(limiter, [minute], t0 + 60_500).allowed).toBe(false);
    const denied = run(limiter, [minute], t0 + 61_000);
    expect(denied.allowed).toBe(false);
    expect(denied.resetMs).toEqual([120_000 - 61_000]); // bucket [59 s, 60 s) counts until 60 s + the 60 s window
    expect(run(limiter, [minute], t0 + 119_999).allowed).toBe(false);
    expect(run(limiter, [minute], t0 + 120_000).allowed).toBe(true);
  });

  it("consumes from report-only windows never, and is never denied by them", () => {
    const limiter = new FallbackLimiter(100);
    for (let i = 0; i < 8; i++) run(limiter, [hour], t0);
    const reported = [minute, { ...hour, reportOnly: true }];
    expect(run(limiter, reported, t0 + 1)).toMatchObject({ allowed: true, used: [1, 8] });
    expect(run(limiter, reported, t0 + 2)).toMatchObject({ allowed: true, used: [2, 8] });
    for (let i = 0; i < 3; i++) run(limiter, [minute], t0 + 3);
    expect(run(limiter, reported, t0 + 4)).toMatchObject({ allowed: false, used: [5, 8] });
  });

  it("peek consumes nothing", () => {
    const limiter = new FallbackLimiter(100);
    for (let i = 0; i < 3; i++) expect(run(limiter, [minute], t0, 1, true)).toMatchObject({ allowed: true, used: [0] });
    expect(limiter.pendingSubjects).toBe(0);
  });

  it("charges the cost to every window", () => {
    const limiter = new FallbackLimiter(100);
    expect(run(limiter, [minute, month], t0, 3)).toMatchObject({ allowed: true, used: [3, 3] });
    expect(run(limiter, [minute, month], t0, 3)).toMatchObject({ allowed: false, used: [3, 3] });
    expect(run(limiter, [minute, month], t0, 2)).toMatchObject({ allowed: true, used: [5, 5] });
  });

  it("counts a new calendar month from zero", () => {
    const limiter = new FallbackLimiter(100);
    const lastMs = Date.UTC(2031, 3, 1) - 1;
    expect(run(limiter, [month], lastMs, 10).allowed).toBe(true);
    expect(run(limiter, [month], lastMs).allowed).toBe(false);
    expect(run(limiter, [month], lastMs).resetMs).toEqual([1]);
    expect(run(limiter, [month], lastMs + 1)).toMatchObject({ allowed: true, used: [1] });
  });

  it("applies refunds to its own newest usage first and keeps the rest as owed by Redis", () => {
    const limiter = new FallbackLimiter(100);
    run(limiter, [minute], t0, 2);
    limiter.adjust("user:1", plan([minute], t0 + 5000), -3, t0 + 5000);
    expect(run(limiter, [minute], t0 + 5000, 1, true).used).toEqual([0]);
    const [pending] = limiter.takePending();
    const delta = pending?.deltas.values().next().value;
    expect(delta?.kind === "sliding" ? [...delta.buckets] : undefined).toEqual([[Math.floor((t0 + 5000) / 1000), -1]]);
  });

  it("hands its usage over for merging and takes back what a merge could not deliver", () => {
    const limiter = new FallbackLimiter(100);
    run(limiter, [minute, month], t0, 2);
    const pending = limiter.takePending();
    expect(limiter.pendingSubjects).toBe(0);
    expect(pending.map((p) => [p.subject, [...p.deltas.keys()]])).toEqual([["user:1", ["minute:60s", "month:2031-03"]]]);
    expect(run(limiter, [minute, month], t0 + 1, 1, true).used).toEqual([2, 2]); // still counted while it is being sent
    run(limiter, [minute, month], t0 + 1, 1);
    limiter.undelivered("user:1");
    expect(limiter.pendingSubjects).toBe(1);
    expect(run(limiter, [minute, month], t0 + 2, 1, true).used).toEqual([3, 3]);
    expect(
      limiter.takePending().map((p) => [...p.deltas.values()].map((d) => (d.kind === "sliding" ? [...d.buckets.values()] : d.units))),
    ).toEqual([[[3], 3]]);
  });

  it("tracks a bounded number of subjects, dropping the oldest", () => {
    const limiter = new FallbackLimiter(3);
    for (const subject of ["a", "b", "c", "d"]) limiter.check(subject, planWindows("p", subject, [minute], t0), 1, false, t0, 1);
    expect(limiter.pendingSubjects).toBe(3);
    expect(limiter.takePending().map((p) => p.subject)).toEqual(["b", "c", "d"]);
  });

  it("starts from the usage Redis last reported, not from zero", () => {
    const limiter = new FallbackLimiter(100);
    seeFromRedis(limiter, [minute, hour, month], [3, 6, 9], t0, 1);
    expect(run(limiter, [minute, hour, month], t0 + 1000)).toMatchObject({ allowed: true, used: [4, 7, 10] });
    expect(run(limiter, [minute, hour, month], t0 + 1000)).toMatchObject({ allowed: false, used: [4, 7, 10] }); // the month (10) is full;
  });

  it("lets usage seen from Redis stop counting when the bucket it was seen in leaves the window", () => {
    const limiter = new FallbackLimiter(100);
    seeFromRedis(limiter, [minute], [5], t0 + 500, 1);
    const denied = run(limiter, [minute], t0 + 30_000);
    expect(denied).toMatchObject({ allowed: false, used: [5] });
    expect(denied.resetMs).toEqual([61_000 - 30_000]); // seen in bucket [0 s, 1 s): it counts until 1 s + 60 s
    expect(run(limiter, [minute], t0 + 60_999).allowed).toBe(false);
    expect(run(limiter, [minute], t0 + 61_000)).toMatchObject({ allowed: true, used: [1] });
  });

  it("admits only its share of what is left: floor((limit − seen) / processes)", () => {
    const scans: LimitWindow = { name: "scans-hour", kind: "sliding", windowSeconds: 3600, limit: 10 };
    const two = new FallbackLimiter(100);
    seeFromRedis(two, [scans], [4], t0, 1);
    expect(admittedUntilDenied(two, [scans], t0 + 1, 2)).toBe(3);
    const fresh = new FallbackLimiter(100);
    expect(admittedUntilDenied(fresh, [scans], t0, 3)).toBe(3);
    const many = new FallbackLimiter(100);
    expect(admittedUntilDenied(many, [scans], t0, 11)).toBe(0); // a share below one unit admits nothing
  });

  it("reports the share it will still admit as remaining, and denies exactly when the cost does not fit", () => {
    const limiter = new FallbackLimiter(100);
    const requests: LimitWindow = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 20 };
    seeFromRedis(limiter, [requests], [6], t0, 1);
    // floor((20 − 6) / 2) = 7 for this process: limit − used is what it will still admit.
    expect(run(limiter, [requests], t0 + 1, 1, true, 2).used).toEqual([13]);
    expect(run(limiter, [requests], t0 + 1, 5, false, 2)).toMatchObject({ allowed: true, used: [18] });
    expect(run(limiter, [requests], t0 + 1, 3, false, 2)).toMatchObject({ allowed: false, used: [18] });
    expect(run(limiter, [requests], t0 + 1, 2, false, 2)).toMatchObject({ allowed: true, used: [20] });
  });

  it("reports when the share fits again: its own units leaving, or the usage it saw", () => {
    const limiter = new FallbackLimiter(100);
    const requests: LimitWindow = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 10 };
    seeFromRedis(limiter, [requests], [4], t0, 1);
    expect(admittedUntilDenied(limiter, [requests], t0 + 10_000, 2)).toBe(3);
    // Denied at 10 s: the 4 units seen (bucket 0 s) leave at 61 s, and then the 3 own units fit floor(10 / 2) = 5.
    expect(run(limiter, [requests], t0 + 10_000, 1, false, 2).resetMs).toEqual([61_000 - 10_000]);
    expect(run(limiter, [requests], t0 + 61_000, 1, false, 2).allowed).toBe(true);
  });

  it("keeps counting usage it merged until Redis reports a usage that includes it", () => {
    const limiter = new FallbackLimiter(100);
    seeFromRedis(limiter, [minute], [2], t0, 1);
    run(limiter, [minute], t0 + 1, 2);
    limiter.takePending();
    // A check that started before the merge landed (seq 2 < 3) does not include it.
    seeFromRedis(limiter, [minute], [2], t0 + 2, 2);
    limiter.delivered("user:1", 3);
    expect(run(limiter, [minute], t0 + 3, 1, true).used).toEqual([4]);
    seeFromRedis(limiter, [minute], [2], t0 + 4, 2);
    expect(run(limiter, [minute], t0 + 4, 1, true).used).toEqual([4]);
    // One that started after it does.
    seeFromRedis(limiter, [minute], [4], t0 + 5, 4);
    expect(run(limiter, [minute], t0 + 5, 1, true).used).toEqual([4]);
    expect(admittedUntilDenied(limiter, [minute], t0 + 5, 1)).toBe(1);
  });

  it("ignores an observation older than the one it has", () => {
    const limiter = new FallbackLimiter(100);
    seeFromRedis(limiter, [minute], [4], t0, 5);
    seeFromRedis(limiter, [minute], [1], t0 + 1, 3);
    expect(run(limiter, [minute], t0 + 2, 1, true).used).toEqual([4]);
  });

  it("gives a subject used since the eviction hand last passed a second chance", () => {
    const limiter = new FallbackLimiter(3);
    const check = (subject: string) => limiter.check(subject, planWindows("p", subject, [minute], t0), 1, false, t0, 1);
    for (const subject of ["a", "b", "c"]) check(subject);
    check("a");
    check("d");
    expect(
      limiter
        .takePending()
        .map((p) => p.subject)
        .sort(),
    ).toEqual(["a", "c", "d"]);
  });

  it("uses a usage seen only for the same window: not after the window's length or the month changed", () => {
    const limiter = new FallbackLimiter(100);
    const lastOfMarch = Date.UTC(2031, 3, 1) - 1000;
    seeFromRedis(limiter, [month, minute], [9, 4], lastOfMarch, 1);
    expect(run(limiter, [month], lastOfMarch + 1, 1, true).used).toEqual([9]);
    expect(run(limiter, [month], lastOfMarch + 1000, 1, true).used).toEqual([0]); // April
    expect(run(limiter, [{ ...minute, windowSeconds: 120 }], lastOfMarch + 1, 1, true).used).toEqual([0]);
  });
});
