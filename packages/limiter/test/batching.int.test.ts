import { TestRedisServer, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LimitDecision, type LimitWindow, RateLimiter, type RateLimiterOptions } from "../src/index.js";
import { FakeClock, bucketTotal, connect, hour, minute, month, monthCount, windowRef } from "./limiter-fixtures.js";

// A server of this file's own: the tests count the calls it runs (INFO commandstats) and stall it.
let server: TestRedisServer;
let redis: Redis;
let probe: Redis;
const limiters: RateLimiter[] = [];

beforeAll(async () => {
  server = await TestRedisServer.start();
  redis = await connect(server.url());
  probe = await connect(server.url());
});

afterEach(() => {
  for (const limiter of limiters.splice(0)) limiter.close();
});

afterAll(async () => {
  redis.disconnect();
  probe.disconnect();
  await server.stop();
});

function limiterWith(options: Partial<RateLimiterOptions> = {}): RateLimiter {
  // Generous timeout: a slow answer on a loaded machine must not turn into a fallback decision.
  const limiter = new RateLimiter({
    redis,
    prefix: uniqueId("batch"),
    timeoutMs: 10_000,
    failMode: "closed",
    membershipIntervalMs: 0,
    ...options,
  });
  limiters.push(limiter);
  return limiter;
}

/** FCALLs the server ran so far. */
async function fcalls(): Promise<number> {
  const match = /cmdstat_fcall:calls=(\d+)/.exec(await probe.info("commandstats"));
  return Number(match?.[1] ?? 0);
}

/** What a decision says, without its error object: enough to compare two limiters' answers. */
function summary(decision: LimitDecision): unknown {
  if (decision.outcome === "unavailable") return { outcome: decision.outcome };
  return decision;
}

/**
 * The reference: checks one at a time, each in a call of its own, every one decided by Redis (no denials
 * answered from memory, whose window usage may be older than Redis's).
 */
function referenceLimiter(clock: FakeClock): RateLimiter {
  return limiterWith({ batchSize: 1, blockCacheSize: 0, clock: clock.now });
}

describe("checks issued together share one call", () => {
  it("admits exactly the limit of 100 concurrent checks of one subject, the first 100 in the order submitted, in 4 calls", async () => {
    const prefix = uniqueId("batch");
    const limiter = limiterWith({ batchSize: 32, prefix });
    const windows = [minute(20), hour(100), month(1000)];
    // The library loaded first, so that the count below holds only the checks' own calls.
    await limiter.check({ subject: `user:${uniqueId()}`, windows });
    const before = await fcalls();

    const subject = `user:${uniqueId()}`;
    const decisions = await Promise.all(Array.from({ length: 100 }, () => limiter.check({ subject, windows })));

    // 32 + 32 + 32 + 4, each evaluated in order within its call, the calls in order on the connection.
    expect((await fcalls()) - before).toBe(4);
    expect(decisions.map((d) => d.outcome)).toEqual(Array.from({ length: 100 }, (_, i) => (i < 20 ? "allowed" : "denied")));
    expect(decisions.slice(0, 20).map((d) => d.windows.map((w) => w.used))).toEqual(
      Array.from({ length: 20 }, (_, i) => [i + 1, i + 1, i + 1]),
    );
    expect(decisions.slice(20).every((d) => d.outcome === "denied" && d.deniedBy === "minute")).toBe(true);
    const now = Date.now();
    expect(await bucketTotal(redis, windowRef(prefix, subject, windows[0] as LimitWindow, now))).toBe(20);
    expect(await monthCount(redis, windowRef(prefix, subject, windows[2] as LimitWindow, now))).toBe("20");
  });

  it("keeps each subject exact in a batch that mixes subjects, costs and peeks", async () => {
    // One time for both limiters, so that their reset times compare to the second.
    const clock = new FakeClock(Date.UTC(2031, 4, 10, 12, 0, 0));
    const limiter = limiterWith({ batchSize: 64, clock: clock.now });
    const windows = [minute(10), hour(25), month(40)];
    const subjects = Array.from({ length: 5 }, () => `user:${uniqueId()}`);
    const checks = Array.from({ length: 60 }, (_, i) => ({
      subject: subjects[i % 5] as string,
      windows,
      cost: 1 + (i % 3),
      peek: i % 7 === 6,
    }));
    const batched = await Promise.all(checks.map((check) => limiter.check(check)));

    // The same checks, one after another: every answer the same.
    const alone = referenceLimiter(clock);
    const sequential: LimitDecision[] = [];
    for (const check of checks) sequential.push(await alone.check({ ...check, subject: `${check.subject}:alone` }));
    expect(batched.map(summary)).toEqual(sequential.map(summary));
    expect(batched.filter((d) => d.outcome === "allowed").length).toBeGreaterThan(5);
    expect(batched.filter((d) => d.outcome === "denied").length).toBeGreaterThan(5);
  });

  it("evaluates a batch spanning a minute (and a month) boundary check by check, at each check's own time", async () => {
    // 1 s before February: the minute's units of 23:59:00 leave the window at 00:00:01, and February's counter starts.
    const start = Date.UTC(2031, 0, 31, 23, 59, 0);
    const clock = new FakeClock(start);
    const windows = [minute(10), hour(100), month(1000)];
    const run = async (limiter: RateLimiter, subject: string): Promise<LimitDecision[]> => {
      clock.set(start);
      const first = await Promise.all(Array.from({ length: 10 }, () => limiter.check({ subject, windows })));
      // One turn of the event loop: 5 checks just before the minute's units leave, 15 right after.
      const pending: Array<Promise<LimitDecision>> = [];
      clock.set(start + 60_999);
      for (let i = 0; i < 5; i++) pending.push(limiter.check({ subject, windows }));
      clock.set(start + 61_000);
      for (let i = 0; i < 15; i++) pending.push(limiter.check({ subject, windows }));
      return [...first, ...(await Promise.all(pending))];
    };
    const batchedLimiter = limiterWith({ batchSize: 32, clock: clock.now });
    await batchedLimiter.check({ subject: `user:${uniqueId()}`, windows: [minute(1000)] });
    const before = await fcalls();
    const batched = await run(batchedLimiter, `user:${uniqueId()}`);
    // The first 10 in one call, the 20 across the boundary in another.
    expect((await fcalls()) - before).toBe(2);

    expect(batched.slice(0, 10).every((d) => d.outcome === "allowed")).toBe(true);
    expect(batched.slice(10, 15).map((d) => d.outcome === "denied" && d.deniedBy)).toEqual(Array(5).fill("minute"));
    // 23:59:00's 10 units have left the minute but not the hour; February's counter starts at 0.
    expect(batched.slice(15, 25).map((d) => d.windows.map((w) => w.used))).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, 11 + i, i + 1]),
    );
    expect(batched.slice(25).map((d) => d.outcome === "denied" && d.deniedBy)).toEqual(Array(5).fill("minute"));

    const sequential: LimitDecision[] = [];
    const alone = referenceLimiter(clock);
    const subject = `user:${uniqueId()}`;
    for (let i = 0; i < batched.length; i++) {
      clock.set(i < 10 ? start : i < 15 ? start + 60_999 : start + 61_000);
      sequential.push(await alone.check({ subject, windows }));
    }
    expect(batched.map(summary)).toEqual(sequential.map(summary));
  });
});

describe("a batch that times out", () => {
  // The longest the server stays stopped: checks that waited for it fail the test.
  const STALL_MS = 20_000;

  it("sends each of its checks to the fallback, counts as one failure for the breaker, and Redis is used again after", async () => {
    const errors: string[] = [];
    const latencies: number[] = [];
    // Were the 12 failures counted apart, the breaker would open and skip Redis for a minute.
    const limiter = limiterWith({
      failMode: "open",
      timeoutMs: 100,
      breakerCooldownMs: 60_000,
      batchSize: 32,
      hooks: { onError: (operation) => errors.push(operation), onRedisLatency: (s) => latencies.push(s) },
    });
    const subject = `user:${uniqueId()}`;
    const windows = [minute(5), hour(50), month(100)];
    expect(await limiter.check({ subject, windows })).toMatchObject({ outcome: "allowed", source: "redis" });
    const before = await fcalls();

    const stall = server.stall(STALL_MS);
    const stalled = await Promise.all(Array.from({ length: 12 }, () => limiter.check({ subject, windows })));
    expect(stall.isOver()).toBe(false);
    await stall.end();

    // Redis had counted 1 of the minute's 5: the fallback admits the 4 left, each check on its own.
    expect(stalled.map((d) => d.outcome)).toEqual([...Array(4).fill("allowed"), ...Array(8).fill("denied")]);
    expect(stalled.every((d) => d.outcome !== "unavailable" && d.source === "fallback")).toBe(true);
    expect(errors).toEqual(Array(12).fill("check"));
    expect(latencies).toHaveLength(13);
    // The 12 went out as one call, which ran once the server woke up (a timed-out call may still apply).
    expect((await fcalls()) - before).toBe(1);
    expect(await limiter.check({ subject: `user:${uniqueId()}`, windows })).toMatchObject({ outcome: "allowed", source: "redis" });
  });
});
