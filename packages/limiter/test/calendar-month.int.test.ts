import { TestRedisServer, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type LimitWindow, LimiterUnavailableError, RateLimiter, type RateLimiterOptions, subjectKey } from "../src/index.js";
import { FakeClock, connect, minute, month, hasState, monthCount, scriptCalls, windowRef } from "./limiter-fixtures.js";

const prefix = "secapi:rl";
// A server of this file's own: the tests FLUSHALL it.
let server: TestRedisServer;
let redis: Redis;
let clock: FakeClock;

beforeAll(async () => {
  server = await TestRedisServer.start();
  redis = await connect(server.url());
});

beforeEach(async () => {
  await redis.flushall();
  clock = new FakeClock(Date.UTC(2031, 0, 31, 23, 59, 50));
});

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

/** Stands for Postgres: the caller records every allowed scan; `monthUsage` counts them. */
class DurableUsage {
  readonly scans: Array<{ subject: string; at: number }> = [];
  calls = 0;
  readonly monthUsage = async (subject: string, _window: LimitWindow, monthStart: Date): Promise<number> => {
    this.calls++;
    // Slow enough that every concurrent check asks while the first load is still in flight.
    await new Promise((r) => setTimeout(r, 100));
    const end = new Date(monthStart);
    end.setUTCMonth(end.getUTCMonth() + 1);
    return this.scans.filter((s) => s.subject === subject && s.at >= monthStart.getTime() && s.at < end.getTime()).length;
  };
}

function limiterWith(options: Partial<RateLimiterOptions> = {}): RateLimiter {
  return new RateLimiter({ redis, prefix, clock: clock.now, timeoutMs: 5000, failMode: "closed", ...options });
}

describe("calendar month", () => {
  const scansMonth = month(3);

  it("rolls over at 00:00 UTC on the 1st, into a new counter that expires an hour after its month", async () => {
    const limiter = limiterWith();
    const subject = `user:${uniqueId()}`;
    for (let i = 0; i < 3; i++) expect((await limiter.check({ subject, windows: [scansMonth] })).outcome).toBe("allowed");
    const denied = await limiter.check({ subject, windows: [scansMonth] });
    expect(denied).toMatchObject({ outcome: "denied", deniedBy: "scans-month", retryAfterSeconds: 10 });
    expect(denied.windows[0]).toEqual({ name: "scans-month", kind: "calendar-month", limit: 3, used: 3, remaining: 0, resetSeconds: 10 });

    clock.set(Date.UTC(2031, 1, 1) - 1);
    expect((await limiter.check({ subject, windows: [scansMonth], peek: true })).outcome).toBe("denied");
    clock.set(Date.UTC(2031, 1, 1));
    const february = await limiter.check({ subject, windows: [scansMonth] });
    expect(february).toMatchObject({ outcome: "allowed", windows: [{ used: 1, remaining: 2, resetSeconds: 28 * 86_400 }] });

    expect(await monthCount(redis, windowRef(prefix, subject, scansMonth, Date.UTC(2031, 0, 31)))).toBe("3");
    expect(await monthCount(redis, windowRef(prefix, subject, scansMonth, Date.UTC(2031, 1, 1)))).toBe("1");
    const ttl = await redis.pttl(subjectKey(prefix, subject));
    expect(ttl).toBeGreaterThan(28 * 86_400_000);
    expect(ttl).toBeLessThanOrEqual(28 * 86_400_000 + 3_600_000);
  });

  it("keeps the previous month's counter for lagging clocks and drops older ones when a month starts", async () => {
    const limiter = limiterWith();
    const subject = `user:${uniqueId()}`;
    const windows = [minute(100), scansMonth];
    for (const monthIndex of [0, 1, 2, 3]) {
      clock.set(Date.UTC(2031, monthIndex, 15));
      expect((await limiter.check({ subject, windows })).outcome).toBe("allowed");
    }
    expect((await redis.hkeys(subjectKey(prefix, subject))).sort()).toEqual([
      "minute:60s",
      "scans-month:2031-03",
      "scans-month:2031-04",
      "x",
    ]);
  });

  it("keeps a subject's key as long as its longest-lived window needs it", async () => {
    const limiter = limiterWith();
    const subject = `user:${uniqueId()}`;
    await limiter.check({ subject, windows: [scansMonth] });
    const monthTtl = await redis.pttl(subjectKey(prefix, subject));
    expect(monthTtl).toBeGreaterThan(3_600_000); // the month's end is 10 s away, plus an hour of grace
    // A minute window needs 61 s at most: it must not shorten the month counter's life.
    await limiter.check({ subject, windows: [minute(100)] });
    expect(await redis.pttl(subjectKey(prefix, subject))).toBeGreaterThan(monthTtl - 1000);

    const anonymous = `ip:${uniqueId()}`;
    await limiter.check({ subject: anonymous, windows: [minute(100)] });
    const ttl = await redis.pttl(subjectKey(prefix, anonymous));
    expect(ttl).toBeGreaterThan(59_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
  });

  it("survives FLUSHALL: a missing counter is rebuilt from the caller's durable usage, once", async () => {
    const durable = new DurableUsage();
    const limiter = limiterWith({ monthUsage: durable.monthUsage });
    const subject = `user:${uniqueId()}`;
    const windows = [minute(1000), month(10)];
    const consume = async () => {
      const decision = await limiter.check({ subject, windows });
      if (decision.outcome === "allowed") durable.scans.push({ subject, at: clock.now() });
      return decision;
    };
    await consume(); // new month for this subject: its counter is missing, monthUsage says 0
    expect(durable.calls).toBe(1);
    for (let i = 0; i < 5; i++) await consume();
    expect(durable.calls).toBe(1);

    await redis.flushall();
    const rebuilt = await consume();
    expect(rebuilt).toMatchObject({ outcome: "allowed", windows: [{ used: 1 }, { used: 7, remaining: 3 }] });
    expect(durable.calls).toBe(2);
    expect(await monthCount(redis, windowRef(prefix, subject, windows[1] as LimitWindow, clock.now()))).toBe("7");

    // Many checks at once after another flush: one load, and the quota stays exact.
    await redis.flushall();
    const burst = await Promise.all(Array.from({ length: 20 }, () => limiter.check({ subject, windows })));
    expect(burst.filter((d) => d.outcome === "allowed")).toHaveLength(3);
    expect(durable.calls).toBe(3);
  });

  it("seeds a missing counter on a peek without consuming", async () => {
    const durable = new DurableUsage();
    const subject = `user:${uniqueId()}`;
    durable.scans.push({ subject, at: clock.now() - 1000 }, { subject, at: clock.now() - 500 });
    const limiter = limiterWith({ monthUsage: durable.monthUsage });
    const peeked = await limiter.check({ subject, windows: [month(10)], peek: true });
    expect(peeked).toMatchObject({ outcome: "allowed", windows: [{ used: 2, remaining: 8 }] });
    expect(await monthCount(redis, windowRef(prefix, subject, month(10), clock.now()))).toBe("2");
  });

  it("costs one round trip when the counter exists, and without monthUsage a missing counter starts at 0", async () => {
    const limiter = limiterWith();
    const subject = `user:${uniqueId()}`;
    const before = await scriptCalls(redis);
    for (let i = 0; i < 5; i++) await limiter.check({ subject, windows: [minute(100), month(100)] });
    const after = await scriptCalls(redis);
    expect(after - before).toBe(5);
    expect(await monthCount(redis, windowRef(prefix, subject, month(100), clock.now()))).toBe("5");
  });

  it("treats a failing monthUsage like an unusable Redis, without writing a guess", async () => {
    const failing = async (): Promise<number> => {
      throw new Error("postgres is down");
    };
    const subject = `user:${uniqueId()}`;
    const errors: string[] = [];
    const closed = limiterWith({ monthUsage: failing, hooks: { onError: (operation) => errors.push(operation) } });
    const unavailable = await closed.check({ subject, windows: [month(10)] });
    expect(unavailable.outcome).toBe("unavailable");
    expect(unavailable.outcome === "unavailable" && unavailable.error).toBeInstanceOf(LimiterUnavailableError);
    expect(errors).toEqual(["month-usage"]);

    const open = limiterWith({ monthUsage: failing, failMode: "open" });
    expect(await open.check({ subject, windows: [month(10)] })).toMatchObject({ outcome: "allowed", source: "fallback" });
    expect(await hasState(redis, windowRef(prefix, subject, month(10), clock.now()))).toBe(false);
  });
});
