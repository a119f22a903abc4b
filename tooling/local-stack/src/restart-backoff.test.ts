import { describe, expect, it } from "vitest";
import { RestartBackoff } from "./restart-backoff.js";

describe("RestartBackoff", () => {
  it("doubles from 1 s up to 30 s while the app keeps crashing at once", () => {
    const backoff = new RestartBackoff();
    expect(Array.from({ length: 8 }, () => backoff.next(200))).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it("starts again from 1 s after a run of at least 30 s, and not after a shorter one", () => {
    const backoff = new RestartBackoff();
    backoff.next(100);
    backoff.next(100);
    expect(backoff.next(29_999)).toBe(4000);
    expect(backoff.next(30_000)).toBe(1000);
    expect(backoff.next(500)).toBe(2000);
  });

  it("takes its limits from the options", () => {
    const backoff = new RestartBackoff({ initialMs: 10, maxMs: 35, stableMs: 1000 });
    expect([backoff.next(0), backoff.next(0), backoff.next(0), backoff.next(0), backoff.next(5000)]).toEqual([10, 20, 35, 35, 10]);
  });
});
