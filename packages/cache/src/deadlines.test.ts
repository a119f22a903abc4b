import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { Deadlines } from "./deadlines.js";

const never = () => new Promise<never>(() => {});

describe("Deadlines", () => {
  it("settles like the promise when it answers in time, whichever way", async () => {
    const deadlines = new Deadlines(1000);
    await expect(deadlines.race(Promise.resolve(7), () => new Error("late"))).resolves.toBe(7);
    await expect(deadlines.race(Promise.reject(new Error("refused")), () => new Error("late"))).rejects.toThrow("refused");
  });

  it("rejects each unanswered call with its own error once its own length has passed, not the first call's", async () => {
    const deadlines = new Deadlines(40);
    const events: string[] = [];
    const first = deadlines.race(never(), () => new Error("first timed out")).catch((error: Error) => events.push(error.message));
    await sleep(25);
    const second = deadlines.race(never(), () => new Error("second timed out")).catch((error: Error) => events.push(error.message));
    const answered = deadlines
      .race(
        sleep(5).then(() => "answered"),
        () => new Error("third timed out"),
      )
      .then((value) => events.push(value));
    await first;
    // The second call started later: it is still waiting when the first one gives up.
    expect(events).toEqual(["answered", "first timed out"]);
    await Promise.all([second, answered]);
    expect(events).toEqual(["answered", "first timed out", "second timed out"]);
  });

  it("keeps a late rejection handled, and an error thrown while building the timeout error is the rejection", async () => {
    const deadlines = new Deadlines(10);
    let fail: (error: Error) => void = () => {};
    const late = new Promise<never>((_, reject) => {
      fail = reject;
    });
    const raced = deadlines.race(late, () => {
      throw new Error("factory failed");
    });
    await expect(raced).rejects.toThrow("factory failed");
    fail(new Error("too late"));
    await sleep(1);
  });

  it("keeps working across many calls, its queue emptied and compacted as they settle", async () => {
    const deadlines = new Deadlines(20);
    const values = await Promise.all(Array.from({ length: 3000 }, (_, i) => deadlines.race(Promise.resolve(i), () => new Error("late"))));
    expect(values[2999]).toBe(2999);
    await sleep(30);
    await expect(deadlines.race(never(), () => new Error("timed out"))).rejects.toThrow("timed out");
    await expect(deadlines.race(Promise.resolve("again"), () => new Error("late"))).resolves.toBe("again");
  });

  it("holds no answered call once every older one is answered, long before the timer fires", async () => {
    const deadlines = new Deadlines(60_000);
    await Promise.all(Array.from({ length: 3000 }, (_, i) => deadlines.race(Promise.resolve(i), () => new Error("late"))));
    expect(deadlines.held).toBe(0);
    let answer: (value: string) => void = () => {};
    const slow = deadlines.race(new Promise<string>((resolve) => (answer = resolve)), () => new Error("late"));
    await Promise.all(Array.from({ length: 100 }, (_, i) => deadlines.race(Promise.resolve(i), () => new Error("late"))));
    // Answered calls behind an unanswered one keep their slot (not their reply) until it is answered or times out.
    expect(deadlines.held).toBe(101);
    answer("answered");
    await expect(slow).resolves.toBe("answered");
    expect(deadlines.held).toBe(0);
  });
});
