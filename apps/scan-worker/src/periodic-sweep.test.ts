import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PeriodicSweep } from "./periodic-sweep.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("PeriodicSweep", () => {
  it("skips a tick while a pass runs, reports a failed pass and goes on, and stop waits for the pass in progress", async () => {
    let passes = 0;
    let finish: (() => void) | undefined;
    const errors: unknown[] = [];
    const sweep = new PeriodicSweep(
      () => {
        passes++;
        if (passes === 2) return Promise.reject(new Error("db away"));
        return new Promise<void>((resolve) => (finish = resolve));
      },
      1000,
      (error) => errors.push(error),
    );
    sweep.start();
    await vi.advanceTimersByTimeAsync(3000);
    expect(passes).toBe(1);
    finish!();
    await vi.advanceTimersByTimeAsync(1000);
    expect(passes).toBe(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toEqual([new Error("db away")]);
    expect(passes).toBe(3);

    let stopped = false;
    const stopping = sweep.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(5000);
    expect(stopped).toBe(false);
    expect(passes).toBe(3);
    finish!();
    await stopping;
    expect(stopped).toBe(true);
  });
});
