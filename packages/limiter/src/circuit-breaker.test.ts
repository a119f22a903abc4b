import { describe, expect, it } from "vitest";
import { CircuitBreaker } from "./circuit-breaker.js";

describe("CircuitBreaker", () => {
  it("opens after consecutive failures, lets one probe through per cooldown, and closes on success", () => {
    let now = 0;
    const breaker = new CircuitBreaker(3, 1000, () => now);
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.allowRequest()).toBe(true);
    breaker.recordFailure();
    expect(breaker.isOpen).toBe(true);
    expect(breaker.allowRequest()).toBe(false);
    now = 1000;
    expect(breaker.allowRequest()).toBe(true); // the probe
    expect(breaker.allowRequest()).toBe(false); // others wait for its verdict
    breaker.recordFailure();
    now = 1999;
    expect(breaker.allowRequest()).toBe(false);
    now = 2000;
    expect(breaker.allowRequest()).toBe(true);
    breaker.recordSuccess();
    expect(breaker.isOpen).toBe(false);
    expect(breaker.allowRequest()).toBe(true);
    expect(breaker.allowRequest()).toBe(true);
  });

  it("re-arms a probe that never reported back", () => {
    let now = 0;
    const breaker = new CircuitBreaker(1, 500, () => now);
    breaker.recordFailure();
    now = 500;
    expect(breaker.allowRequest()).toBe(true);
    now = 999;
    expect(breaker.allowRequest()).toBe(false);
    now = 1000;
    expect(breaker.allowRequest()).toBe(true);
  });
});
