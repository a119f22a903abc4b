import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker.js";

/** One call that fails before the next one starts. */
function failOnce(breaker: CircuitBreaker): void {
  const ticket = breaker.tryCall();
  if (ticket === undefined) throw new Error("the breaker refused the call");
  breaker.recordFailure(ticket);
}

describe("CircuitBreaker", () => {
  it("opens after failures in a row, lets one probe through per cooldown, and closes on success", () => {
    let now = 0;
    const breaker = new CircuitBreaker(3, 1000, () => now);
    failOnce(breaker);
    breaker.recordSuccess();
    failOnce(breaker);
    failOnce(breaker);
    expect(breaker.isOpen).toBe(false);
    failOnce(breaker);
    expect(breaker.isOpen).toBe(true);
    expect(breaker.tryCall()).toBeUndefined();
    now = 1000;
    const probe = breaker.tryCall();
    expect(probe).toBeDefined();
    expect(breaker.tryCall()).toBeUndefined(); // others wait for its verdict
    breaker.recordFailure(probe ?? 0);
    now = 1999;
    expect(breaker.tryCall()).toBeUndefined();
    now = 2000;
    expect(breaker.tryCall()).toBeDefined();
    breaker.recordSuccess();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.tryCall()).toBeDefined();
    expect(breaker.tryCall()).toBeDefined();
  });

  it("re-arms a probe that never reported back", () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 500, () => now);
    failOnce(breaker);
    now = 500;
    expect(breaker.tryCall()).toBeDefined();
    now = 999;
    expect(breaker.tryCall()).toBeUndefined();
    now = 1000;
    expect(breaker.tryCall()).toBeDefined();
  });

  it("counts calls that were in flight together and fail together (a stall) as one failure", () => {
    const now = 0;
    const breaker = new CircuitBreaker(3, 1000, () => now);
    const stalled = Array.from({ length: 16 }, () => breaker.tryCall() ?? 0);
    for (const ticket of stalled) breaker.recordFailure(ticket);
    expect(breaker.isOpen).toBe(false);
    expect(breaker.tryCall()).toBeDefined();

    // Two more rounds, each started after the last failure counted: a Redis that keeps failing.
    const second = [breaker.tryCall() ?? 0, breaker.tryCall() ?? 0];
    for (const ticket of second) breaker.recordFailure(ticket);
    expect(breaker.isOpen).toBe(false);
    failOnce(breaker);
    expect(breaker.isOpen).toBe(true);
  });

  it("does not extend the cooldown for calls that were in flight when it opened", () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 1000, () => now);
    const inFlight = [breaker.tryCall() ?? 0, breaker.tryCall() ?? 0];
    breaker.recordFailure(inFlight[0] ?? 0);
    expect(breaker.isOpen).toBe(true);
    now = 900;
    breaker.recordFailure(inFlight[1] ?? 0);
    now = 1000;
    expect(breaker.tryCall()).toBeDefined(); // the probe is due one cooldown after the first failure, not the late one
  });
});
