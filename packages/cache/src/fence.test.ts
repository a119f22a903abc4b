import { describe, expect, it } from "vitest";
import { Fence } from "./fence.js";
import type { Invalidation } from "./invalidation.js";
import type { FenceReading, Outcome } from "./redis-store.js";

/** The fence's state machine, with its reads answered by a scripted function (Redis itself is in the integration tests). */
function setup() {
  let now = 0;
  const readings: Outcome<FenceReading>[] = [];
  const sinces: string[] = [];
  const applied: Invalidation[] = [];
  let clears = 0;
  let release: (() => void) | undefined;
  let hold = false;
  const fence = new Fence({
    fenceMs: 100,
    instanceId: "me",
    now: () => now,
    read: async (since) => {
      sinces.push(since);
      if (hold) await new Promise<void>((r) => (release = r));
      return readings.shift() ?? { ok: true, value: { epoch: "1-0", change: "none" } };
    },
    apply: (invalidation) => applied.push(invalidation),
    clear: () => clears++,
  });
  return {
    fence,
    readings,
    sinces,
    applied,
    clears: () => clears,
    advance: (ms: number) => (now += ms),
    hold: () => (hold = true),
    release: () => {
      hold = false;
      release?.();
    },
  };
}

describe("Fence", () => {
  it("is unconfirmed until the first read, which adopts the epoch and drops L1", async () => {
    const t = setup();
    expect(t.fence.isConfirmed()).toBe(false);
    t.readings.push({ ok: true, value: { epoch: "5-0", change: "gap" } });
    expect(await t.fence.ensure()).toBe(true);
    expect(t.sinces).toEqual([""]);
    expect(t.clears()).toBe(1);
    expect(t.fence.lastEpoch).toBe("5-0");
  });

  it("answers at once within the bound, refreshes ahead past half of it, and waits past it", async () => {
    const t = setup();
    await t.fence.refresh();
    t.advance(50);
    expect(t.fence.ensure()).toBe(true);
    expect(t.sinces).toHaveLength(1);
    t.advance(1);
    expect(t.fence.ensure()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(t.sinces).toHaveLength(2);
    t.advance(101);
    const pending = t.fence.ensure();
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toBe(true);
  });

  it("shares one read between concurrent callers and counts the confirmation from when it was sent", async () => {
    const t = setup();
    t.hold();
    const first = t.fence.ensure();
    const second = t.fence.ensure();
    t.advance(60);
    t.release();
    expect([await first, await second]).toEqual([true, true]);
    expect(t.sinces).toHaveLength(1);
    t.advance(41);
    expect(t.fence.isConfirmed()).toBe(false);
  });

  it("replays other instances' invalidations in order and skips its own", async () => {
    const t = setup();
    await t.fence.refresh();
    const tag: Invalidation = { kind: "tag", items: ["user:1"] };
    const key: Invalidation = { kind: "key", items: ["p:a"] };
    t.readings.push({
      ok: true,
      value: {
        epoch: "9-0",
        change: "replay",
        records: [
          { instance: "other", invalidation: tag },
          { instance: "me", invalidation: { kind: "flush", items: [] } },
          { instance: "other", invalidation: key },
        ],
      },
    });
    await t.fence.refresh();
    expect(t.applied).toEqual([tag, key]);
    expect(t.clears()).toBe(0);
    expect(t.sinces).toEqual(["", "1-0"]);
    expect(t.fence.lastEpoch).toBe("9-0");
  });

  it("stays unconfirmed while reads fail", async () => {
    const t = setup();
    await t.fence.refresh();
    t.advance(101);
    t.readings.push({ ok: false, error: new Error("down") });
    expect(await t.fence.ensure()).toBe(false);
    expect(t.fence.lastEpoch).toBe("1-0");
  });
});
