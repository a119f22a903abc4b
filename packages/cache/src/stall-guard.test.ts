import { describe, expect, it } from "vitest";
import { StallGuard } from "./stall-guard.js";

function deferred() {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("StallGuard", () => {
  it("is stalled until every timed-out command is answered, and reports the recovery once", async () => {
    let answered = 0;
    const guard = new StallGuard(() => answered++);
    expect(guard.stalled).toBe(false);
    const first = deferred();
    const second = deferred();
    guard.track(first.promise);
    guard.track(second.promise);
    expect(guard.stalled).toBe(true);
    first.resolve();
    await settle();
    expect(guard.stalled).toBe(true);
    expect(answered).toBe(0);
    second.resolve();
    await settle();
    expect(guard.stalled).toBe(false);
    expect(answered).toBe(1);
  });

  it("counts a command the connection failed as settled (it no longer holds the queue)", async () => {
    let answered = 0;
    const guard = new StallGuard(() => answered++);
    const command = deferred();
    guard.track(command.promise);
    command.reject(new Error("Connection is closed."));
    await settle();
    expect(guard.stalled).toBe(false);
    expect(answered).toBe(1);
  });
});
