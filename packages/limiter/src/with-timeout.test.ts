import { describe, expect, it } from "vitest";
import { LimiterTimeoutError } from "./errors/limiter-timeout-error.js";
import { withTimeout } from "./with-timeout.js";

describe("withTimeout", () => {
  it("settles like the promise when it is in time", async () => {
    await expect(withTimeout(Promise.resolve(7), 50, "op")).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error("boom")), 50, "op")).rejects.toThrow("boom");
  });

  it("rejects with LimiterTimeoutError when the promise is late, and keeps its late rejection handled", async () => {
    // Rejected only after the timeout has: were it rejected on a timer, a loaded machine could run both timers in
    // one turn, and the reply that arrived then would rightly win.
    let rejectLate: (error: Error) => void = () => undefined;
    const late = new Promise((_, reject) => {
      rejectLate = reject;
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      await expect(withTimeout(late, 10, "Redis check")).rejects.toBeInstanceOf(LimiterTimeoutError);
      rejectLate(new Error("too late"));
      await new Promise((r) => setTimeout(r, 100));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });

  it("lets a reply that arrived during a stall win over a timer that fired in the same stall", async () => {
    let resolveReply: (value: string) => void = () => undefined;
    const reply = new Promise<string>((resolve) => {
      resolveReply = resolve;
    });
    const raced = withTimeout(reply, 5, "op");
    // The timer is due while the event loop is blocked; the reply settles in the same turn the timer fires.
    setTimeout(() => resolveReply("answer"), 5);
    const until = Date.now() + 20;
    while (Date.now() < until) {
      // busy: a stall longer than the timeout
    }
    await expect(raced).resolves.toBe("answer");
  });
});
