import { describe, expect, it } from "vitest";
import { type BreakerState, CircuitBreaker } from "./circuit-breaker.js";

function setup(failureThreshold = 3, cooldownMs = 1000) {
  let now = 0;
  const probes: Array<(answered: boolean) => void> = [];
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    cooldownMs,
    now: () => now,
    probe: () => new Promise((resolve) => probes.push(resolve)),
    onStateChange: (state) => changes.push(state),
  });
  /** One call that fails before the next one starts. */
  const failOnce = () => {
    const ticket = breaker.tryCall();
    if (ticket === undefined) throw new Error("the breaker refused the call");
    breaker.recordFailure(ticket);
  };
  return {
    breaker,
    changes,
    failOnce,
    advance: (ms: number) => (now += ms),
    probes: () => probes.length,
    answerProbe: async (answered: boolean) => {
      probes.at(-1)?.(answered);
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe("CircuitBreaker", () => {
  it("opens after failures in a row only, and then refuses calls at once", () => {
    const t = setup();
    t.failOnce();
    t.failOnce();
    t.breaker.recordSuccess();
    t.failOnce();
    t.failOnce();
    expect(t.breaker.state).toBe("closed");
    t.failOnce();
    expect(t.breaker.state).toBe("open");
    expect(t.breaker.isOpen).toBe(true);
    expect(t.breaker.tryCall()).toBeUndefined();
    expect(t.probes()).toBe(0);
  });

  it("probes once after the cooldown, in the background, and closes when the probe succeeds", async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.failOnce();
    t.advance(999);
    expect(t.breaker.tryCall()).toBeUndefined();
    expect(t.probes()).toBe(0);
    t.advance(1);
    expect(t.breaker.tryCall()).toBeUndefined();
    expect(t.breaker.state).toBe("half-open");
    t.advance(5000);
    expect(t.breaker.tryCall()).toBeUndefined();
    expect(t.probes()).toBe(1);
    await t.answerProbe(true);
    expect(t.breaker.state).toBe("closed");
    expect(t.breaker.tryCall()).toBeDefined();
    expect(t.changes).toEqual(["open", "half-open", "closed"]);
  });

  it("re-opens for another cooldown when the probe fails or rejects", async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.failOnce();
    t.advance(1000);
    t.breaker.tryCall();
    await t.answerProbe(false);
    expect(t.breaker.state).toBe("open");
    t.advance(500);
    expect(t.breaker.tryCall()).toBeUndefined();
    expect(t.probes()).toBe(1);
    t.advance(500);
    t.breaker.tryCall();
    expect(t.probes()).toBe(2);

    let rejected = 0;
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      cooldownMs: 0,
      now: () => 0,
      probe: () => Promise.reject(new Error(`down ${++rejected}`)),
    });
    breaker.recordFailure(breaker.tryCall() ?? 0);
    breaker.tryCall();
    await new Promise((r) => setImmediate(r));
    expect(breaker.state).toBe("open");
  });

  it("stays open when a call sent before it opened answers late: only the probe closes it", () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.failOnce();
    t.breaker.recordSuccess();
    expect(t.breaker.state).toBe("open");
    expect(t.breaker.tryCall()).toBeUndefined();
  });

  it("probes at once when told the dependency showed a sign of life; not while closed or already probing", async () => {
    const t = setup();
    t.breaker.probeNow();
    expect(t.probes()).toBe(0);
    for (let i = 0; i < 3; i++) t.failOnce();
    t.advance(10);
    t.breaker.probeNow();
    expect(t.breaker.state).toBe("half-open");
    t.breaker.probeNow();
    expect(t.probes()).toBe(1);
    await t.answerProbe(true);
    expect(t.breaker.state).toBe("closed");
    expect(t.changes).toEqual(["open", "half-open", "closed"]);
  });

  it("counts calls that were in flight together and fail together (a stall) as one failure", () => {
    const t = setup();
    const stalled = Array.from({ length: 16 }, () => t.breaker.tryCall() ?? 0);
    for (const ticket of stalled) t.breaker.recordFailure(ticket);
    expect(t.breaker.state).toBe("closed");

    // Two more rounds, each started after the last failure counted: a dependency that keeps failing.
    const second = [t.breaker.tryCall() ?? 0, t.breaker.tryCall() ?? 0];
    for (const ticket of second) t.breaker.recordFailure(ticket);
    expect(t.breaker.state).toBe("closed");
    t.failOnce();
    expect(t.breaker.state).toBe("open");
  });

  it("a burst of concurrent timeouts behaves like one: a threshold of 1 opens on it, a threshold of 2 does not", () => {
    const one = setup(1);
    const burst = Array.from({ length: 8 }, () => one.breaker.tryCall() ?? 0);
    for (const ticket of burst) one.breaker.recordFailure(ticket);
    expect(one.changes).toEqual(["open"]);

    const two = setup(2);
    const burst2 = Array.from({ length: 8 }, () => two.breaker.tryCall() ?? 0);
    for (const ticket of burst2) two.breaker.recordFailure(ticket);
    expect(two.breaker.state).toBe("closed");
  });

  it("does not extend the cooldown for calls that were in flight when it opened", () => {
    const t = setup(1);
    const inFlight = [t.breaker.tryCall() ?? 0, t.breaker.tryCall() ?? 0];
    t.breaker.recordFailure(inFlight[0] ?? 0);
    expect(t.breaker.state).toBe("open");
    t.advance(900);
    t.breaker.recordFailure(inFlight[1] ?? 0);
    t.advance(100);
    t.breaker.tryCall();
    expect(t.probes()).toBe(1);
  });

  it("needs a full run of failures again after closing, and ignores failures of calls from before it closed", async () => {
    const t = setup();
    const stale = t.breaker.tryCall() ?? 0;
    for (let i = 0; i < 3; i++) t.failOnce();
    t.advance(1000);
    t.breaker.tryCall();
    await t.answerProbe(true);
    t.breaker.recordFailure(stale);
    t.failOnce();
    t.failOnce();
    expect(t.breaker.state).toBe("closed");
    t.failOnce();
    expect(t.breaker.state).toBe("open");
  });

  it("treats a probe that throws as a failed one", async () => {
    const breaker = new CircuitBreaker({
      failureThreshold: 1,
      cooldownMs: 0,
      now: () => 0,
      probe: () => {
        throw new Error("sync");
      },
    });
    breaker.recordFailure(breaker.tryCall() ?? 0);
    expect(breaker.tryCall()).toBeUndefined();
    await new Promise((r) => setImmediate(r));
    expect(breaker.state).toBe("open");
  });
});
