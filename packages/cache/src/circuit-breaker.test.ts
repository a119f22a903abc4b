import { describe, expect, it } from "vitest";
import { type BreakerState, CircuitBreaker } from "./circuit-breaker.js";

function setup() {
  let now = 0;
  let resolveProbe: ((answered: boolean) => void) | undefined;
  let probes = 0;
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold: 3,
    cooldownMs: 1000,
    now: () => now,
    probe: () => {
      probes++;
      return new Promise((resolve) => (resolveProbe = resolve));
    },
    onStateChange: (state) => changes.push(state),
  });
  return {
    breaker,
    changes,
    advance: (ms: number) => (now += ms),
    probes: () => probes,
    answerProbe: async (answered: boolean) => {
      resolveProbe?.(answered);
      await new Promise((r) => setImmediate(r));
    },
  };
}

describe("CircuitBreaker", () => {
  it("opens after consecutive failures only", () => {
    const { breaker } = setup();
    breaker.recordFailure();
    breaker.recordFailure();
    breaker.recordSuccess();
    breaker.recordFailure();
    breaker.recordFailure();
    expect(breaker.state).toBe("closed");
    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    expect(breaker.allowRequest()).toBe(false);
  });

  it("probes once after the cooldown, in the background, and closes when Redis answers", async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.breaker.recordFailure();
    t.advance(999);
    expect(t.breaker.allowRequest()).toBe(false);
    expect(t.probes()).toBe(0);
    t.advance(1);
    expect(t.breaker.allowRequest()).toBe(false);
    expect(t.breaker.state).toBe("half-open");
    expect(t.breaker.allowRequest()).toBe(false);
    expect(t.probes()).toBe(1);
    await t.answerProbe(true);
    expect(t.breaker.state).toBe("closed");
    expect(t.breaker.allowRequest()).toBe(true);
    expect(t.changes).toEqual(["open", "half-open", "closed"]);
  });

  it("re-opens for another cooldown when the probe fails", async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.breaker.recordFailure();
    t.advance(1000);
    t.breaker.allowRequest();
    await t.answerProbe(false);
    expect(t.breaker.state).toBe("open");
    t.advance(500);
    expect(t.breaker.allowRequest()).toBe(false);
    expect(t.probes()).toBe(1);
    t.advance(500);
    t.breaker.allowRequest();
    expect(t.probes()).toBe(2);
  });

  it("stays open when a call sent before it opened answers late: only the probe closes it", () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.breaker.recordFailure();
    t.breaker.recordSuccess();
    expect(t.breaker.state).toBe("open");
    expect(t.breaker.allowRequest()).toBe(false);
    expect(t.probes()).toBe(0);
  });

  it("probes at once, before the cooldown, when told Redis showed a sign of life; not while closed or probing", async () => {
    const t = setup();
    t.breaker.probeNow();
    expect(t.probes()).toBe(0);
    for (let i = 0; i < 3; i++) t.breaker.recordFailure();
    t.advance(10);
    t.breaker.probeNow();
    expect(t.breaker.state).toBe("half-open");
    t.breaker.probeNow();
    expect(t.probes()).toBe(1);
    await t.answerProbe(true);
    expect(t.breaker.state).toBe("closed");
    expect(t.changes).toEqual(["open", "half-open", "closed"]);
  });

  it("needs a full run of failures again after closing", async () => {
    const t = setup();
    for (let i = 0; i < 3; i++) t.breaker.recordFailure();
    t.advance(1000);
    t.breaker.allowRequest();
    await t.answerProbe(true);
    t.breaker.recordFailure();
    t.breaker.recordFailure();
    expect(t.breaker.state).toBe("closed");
  });
});
