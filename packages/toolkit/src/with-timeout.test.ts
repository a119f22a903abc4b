import { afterEach, describe, expect, it, vi } from "vitest";
import { TimeoutError } from "./errors/timeout-error.js";
import { withTimeout } from "./with-timeout.js";

class LateError extends Error {}
const late = () => new LateError("late");

afterEach(() => {
  vi.useRealTimers();
});

describe("withTimeout", () => {
  it("settles like the promise when it is in time, and leaves no timer behind", async () => {
    vi.useFakeTimers();
    await expect(withTimeout(Promise.resolve(7), 50, late)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error("boom")), 50, late)).rejects.toThrow("boom");
    expect(vi.getTimerCount()).toBe(0);
  });

  it("rejects with the caller's error when the promise is late, and makes that error only then", async () => {
    vi.useFakeTimers();
    const factory = vi.fn(late);
    const outcome = withTimeout(new Promise(() => undefined), 10, factory).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(9);
    expect(factory).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    await vi.runAllTimersAsync();
    expect(await outcome).toBeInstanceOf(LateError);
    expect(factory).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("keeps the late rejection of a promise that timed out handled", async () => {
    let rejectLate: (error: Error) => void = () => undefined;
    const pending = new Promise((_, reject) => {
      rejectLate = reject;
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await expect(withTimeout(pending, 5, late)).rejects.toBeInstanceOf(LateError);
      rejectLate(new Error("too late"));
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("settles once: a reply after the timeout changes nothing", async () => {
    vi.useFakeTimers();
    let resolveLate: (value: number) => void = () => undefined;
    const raced = withTimeout(new Promise<number>((resolve) => (resolveLate = resolve)), 5, late);
    const outcome = raced.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    await vi.runAllTimersAsync();
    resolveLate(1);
    expect(await outcome).toEqual({ error: expect.any(LateError) });
  });

  it("carries the operation and deadline in the stock TimeoutError", async () => {
    vi.useFakeTimers();
    const outcome = withTimeout(new Promise(() => undefined), 5, () => new TimeoutError("INFO", 5)).catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await outcome).toMatchObject({ code: "timeout", operation: "INFO", ms: 5, message: "INFO did not answer within 5 ms" });
  });

  it("rejects with what the factory throws, if it throws", async () => {
    vi.useFakeTimers();
    const raced = withTimeout(new Promise(() => undefined), 5, () => {
      throw new RangeError("factory broke");
    });
    const outcome = raced.catch((error: unknown) => error);
    await vi.runAllTimersAsync();
    expect(await outcome).toBeInstanceOf(RangeError);
  });

  it("lets a reply that arrived during a stall win over a timer that fired in the same stall", async () => {
    let resolveReply: (value: string) => void = () => undefined;
    const reply = new Promise<string>((resolve) => {
      resolveReply = resolve;
    });
    const raced = withTimeout(reply, 5, late);
    // The timer is due while the event loop is blocked; the reply settles in the same turn the timer fires.
    setTimeout(() => resolveReply("answer"), 5);
    const until = Date.now() + 20;
    while (Date.now() < until) {
      // busy: a stall longer than the timeout
    }
    await expect(raced).resolves.toBe("answer");
  });
});
