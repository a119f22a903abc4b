import { describe, expect, it } from "vitest";
import { FallbackLimiter } from "./fallback-limiter.js";
import type { LimitWindow } from "./limit-window.js";
import { planWindows } from "./window-plan.js";

const minute: LimitWindow = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 5 };
const hour: LimitWindow = { name: "hour", kind: "sliding", windowSeconds: 3600, limit: 8 };
const month: LimitWindow = { name: "month", kind: "calendar-month", limit: 10 };
const t0 = Date.UTC(2031, 2, 10, 12, 0, 0);
const plan = (windows: LimitWindow[], nowMs: number) => planWindows("p", "user:1", windows, nowMs);

function run(limiter: FallbackLimiter, windows: LimitWindow[], nowMs: number, cost = 1, peek = false) {
  return limiter.check("user:1", plan(windows, nowMs), cost, peek, nowMs);
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
    const [pending] = limiter.drain();
    const delta = pending?.deltas.values().next().value;
    expect(delta?.kind === "sliding" ? [...delta.buckets] : undefined).toEqual([[Math.floor((t0 + 5000) / 1000), -1]]);
  });

  it("hands its usage over on drain and takes back what a merge could not deliver", () => {
    const limiter = new FallbackLimiter(100);
    run(limiter, [minute, month], t0, 2);
    const pending = limiter.drain();
    expect(limiter.pendingSubjects).toBe(0);
    expect(pending.map((p) => [p.subject, [...p.deltas.keys()]])).toEqual([["user:1", ["minute:60s", "month:2031-03"]]]);
    run(limiter, [minute, month], t0 + 1, 1);
    for (const usage of pending) limiter.restore(usage);
    expect(run(limiter, [minute, month], t0 + 2, 1, true).used).toEqual([3, 3]);
  });

  it("tracks a bounded number of subjects, dropping the oldest", () => {
    const limiter = new FallbackLimiter(3);
    for (const subject of ["a", "b", "c", "d"]) limiter.check(subject, planWindows("p", subject, [minute], t0), 1, false, t0);
    expect(limiter.pendingSubjects).toBe(3);
    expect(limiter.drain().map((p) => p.subject)).toEqual(["b", "c", "d"]);
  });
});
