import { TestRedisServer, uniqueId, waitFor } from "@secapi/testing";
import type { Redis } from "ioredis";
import { performance } from "node:perf_hooks";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type LimitDecision, type LimitWindow, LimiterUnavailableError, RateLimiter, type RateLimiterOptions } from "../src/index.js";
import { bucketTotal, connect, hour, minute, month, type WindowRef, hasState, monthCount, windowRef } from "./limiter-fixtures.js";

// A server of this file's own, stopped and restarted (empty) by the tests.
let server: TestRedisServer;
let redis: Redis;
let admin: Redis;
const windows = [minute(5), hour(50), month(100)];
// The longest a hung Redis (TestRedisServer.stall) stays hung: checks that waited for it fail the test.
const STALL_MS = 20_000;

beforeAll(async () => {
  server = await TestRedisServer.start();
  redis = await connect(server.url());
  // Default options: it must queue commands while the server restarts.
  admin = await connect(server.url(), {});
});

afterEach(async () => {
  await server.start();
  await waitFor(() => admin.ping().then(() => true), { what: "redis back" });
  await admin.client("UNPAUSE");
  await waitFor(() => redis.status === "ready", { what: "the limiter's connection back" });
});

afterAll(async () => {
  redis.disconnect();
  admin.disconnect();
  await server.stop();
});

/** One process on its own: these tests do not count processes (test/fallback-share.int.test.ts does). */
function limiterWith(options: Partial<RateLimiterOptions> = {}): RateLimiter {
  return new RateLimiter({ redis, timeoutMs: 50, breakerCooldownMs: 200, membershipIntervalMs: 0, ...options });
}

async function timed(run: () => Promise<LimitDecision>): Promise<{ decision: LimitDecision; ms: number }> {
  const started = performance.now();
  const decision = await run();
  return { decision, ms: performance.now() - started };
}

/** Peeks at a throwaway subject until Redis decides again (the probe that closes the breaker); a peek records nothing. */
async function untilRedisAnswers(limiter: RateLimiter): Promise<void> {
  await waitFor(
    async () => {
      const decision = await limiter.check({ subject: `probe:${uniqueId()}`, windows: [minute(1000)], peek: true });
      return decision.outcome !== "unavailable" && decision.source === "redis";
    },
    { timeoutMs: 30_000, intervalMs: 100, what: "the limiter to use Redis again" },
  );
}

describe("failMode open: Redis stopped", () => {
  it("limits from the usage Redis last reported, quickly, then merges its own usage into Redis when it returns", async () => {
    const errors: string[] = [];
    const attempts: number[] = [];
    const limiter = limiterWith({ hooks: { onError: (operation) => errors.push(operation), onRedisLatency: (s) => attempts.push(s) } });
    const subject = `user:${uniqueId()}`;
    expect(await limiter.check({ subject, windows })).toMatchObject({ outcome: "allowed", source: "redis" });

    await server.stop();
    // Redis had counted 1 of the minute's 5: the fallback admits the 4 left, not 5 more.
    const runs = await Promise.all([0, 1, 2, 3, 4, 5, 6].map(() => timed(() => limiter.check({ subject, windows }))));
    expect(runs.map((r) => r.decision.outcome)).toEqual(["allowed", "allowed", "allowed", "allowed", "denied", "denied", "denied"]);
    expect(runs.every((r) => "source" in r.decision && r.decision.source === "fallback")).toBe(true);
    // Redis stays down until the test restarts it: these answered without it.
    console.log(`[limiter] fallback decisions with Redis down: slowest ${Math.max(...runs.map((r) => r.ms)).toFixed(1)} ms`);
    const denied = runs[4]?.decision;
    expect(denied).toMatchObject({ deniedBy: "minute", windows: [{ used: 5, remaining: 0 }, { used: 5 }, { used: 5 }] });
    // The unit Redis reported leaves first: within the minute (and its 1 s bucket) of the first check.
    expect(denied?.outcome === "denied" && denied.retryAfterSeconds).toBeLessThanOrEqual(61);
    expect(errors.length).toBeGreaterThan(0);

    // While the breaker is open a check does not go to Redis (but for one probe per cooldown).
    for (let i = 0; i < 10; i++) {
      const asked = attempts.length;
      await limiter.check({ subject: `user:${uniqueId()}`, windows });
      if (attempts.length === asked) break;
    }
    const before = attempts.length;
    const started = performance.now();
    await Promise.all(Array.from({ length: 100 }, () => limiter.check({ subject: `user:${uniqueId()}`, windows })));
    const cooldowns = Math.ceil((performance.now() - started) / 200);
    expect(attempts.length - before).toBeLessThanOrEqual(cooldowns + 1);

    await limiter.refund(subject, windows, 1);
    await server.start();
    await untilRedisAnswers(limiter);

    // The restarted server is empty: what it holds for the subject is what the fallback counted (4 − 1 refunded).
    const now = Date.now();
    const [minuteRef, hourRef, monthRef] = windows.map((w) => windowRef("secapi:rl", subject, w, now)) as [WindowRef, WindowRef, WindowRef];
    await waitFor(async () => (await bucketTotal(redis, hourRef)) === 3, { what: "fallback usage merged" });
    expect(await bucketTotal(redis, minuteRef)).toBe(3);
    expect(await monthCount(redis, monthRef)).toBe("3");
    expect(await limiter.check({ subject, windows })).toMatchObject({
      outcome: "allowed",
      source: "redis",
      windows: [{ used: 4 }, { used: 4 }, { used: 4 }],
    });
  });

  it("leaves a month counter for monthUsage to rebuild instead of merging into a missing one", async () => {
    const durable = { total: 40 };
    const limiter = limiterWith({ monthUsage: async () => durable.total });
    const subject = `user:${uniqueId()}`;
    await server.stop();
    for (let i = 0; i < 3; i++) {
      if ((await limiter.check({ subject, windows })).outcome === "allowed") durable.total++;
    }
    await server.start();
    await untilRedisAnswers(limiter);
    const monthRef = windowRef("secapi:rl", subject, windows[2] as LimitWindow, Date.now());
    await waitFor(async () => (await bucketTotal(redis, windowRef("secapi:rl", subject, windows[0] as LimitWindow, Date.now()))) === 3, {
      what: "fallback usage merged",
    });
    expect(await hasState(redis, monthRef)).toBe(false);
    expect(await limiter.check({ subject, windows })).toMatchObject({
      outcome: "allowed",
      windows: [{ used: 4 }, { used: 4 }, { used: 44 }],
    });
  });
});

describe("failMode closed: Redis stopped", () => {
  it("answers unavailable (never denied), quickly, and recovers when Redis returns", async () => {
    const limiter = limiterWith({ failMode: "closed" });
    const subject = `user:${uniqueId()}`;
    await server.stop();
    const runs: Array<{ decision: LimitDecision; ms: number }> = [];
    for (let i = 0; i < 10; i++) runs.push(await timed(() => limiter.check({ subject, windows })));
    for (const { decision } of runs) {
      expect(decision.outcome).toBe("unavailable");
      expect(decision.outcome === "unavailable" && decision.error).toBeInstanceOf(LimiterUnavailableError);
      expect(decision.windows).toEqual([]);
    }
    // Redis stays down until the test restarts it: these answered without it.
    console.log(`[limiter] closed: unavailable with Redis down after at most ${Math.max(...runs.map((r) => r.ms)).toFixed(1)} ms`);
    await server.start();
    await untilRedisAnswers(limiter);
    expect(await limiter.check({ subject, windows })).toMatchObject({
      outcome: "allowed",
      source: "redis",
      windows: [{ used: 1 }, { used: 1 }, { used: 1 }],
    });
  });
});

describe("a slow Redis counts as down", () => {
  it("gives up after timeoutMs, then skips Redis while the breaker is open, and comes back", async () => {
    const latencies: number[] = [];
    // A cooldown longer than this test's steps: while the breaker is open, no probe goes out.
    const limiter = limiterWith({ timeoutMs: 100, breakerCooldownMs: 5000, hooks: { onRedisLatency: (s) => latencies.push(s) } });
    const subject = `user:${uniqueId()}`;
    // Hung until the checks below are done (however long a loaded machine takes over them).
    const stall = server.stall(STALL_MS);
    const first = await timed(() => limiter.check({ subject, windows }));
    expect(first.decision).toMatchObject({ outcome: "allowed", source: "fallback" });
    expect(first.ms).toBeGreaterThanOrEqual(95);
    expect(latencies[0]).toBeGreaterThanOrEqual(0.095);
    // Two more timeouts, one after the other, open the breaker; from then on a check does not go to Redis.
    await limiter.check({ subject, windows: [minute(1000)] });
    await limiter.check({ subject, windows: [minute(1000)] });
    const asked = latencies.length;
    expect(await limiter.check({ subject, windows: [minute(1000)] })).toMatchObject({ source: "fallback" });
    expect(latencies.length).toBe(asked);
    expect(stall.isOver()).toBe(false);
    await stall.end();
    await untilRedisAnswers(limiter);
  });

  it("does not open the breaker because many checks in flight timed out together (one stall)", async () => {
    const latencies: number[] = [];
    // Were the breaker to open, it would skip Redis for a minute: the last check would be a fallback decision.
    const limiter = limiterWith({ timeoutMs: 100, breakerCooldownMs: 60_000, hooks: { onRedisLatency: (s) => latencies.push(s) } });
    const stall = server.stall(STALL_MS);
    const stalled = await Promise.all(Array.from({ length: 16 }, () => limiter.check({ subject: `user:${uniqueId()}`, windows })));
    expect(stall.isOver()).toBe(false);
    await stall.end();
    expect(stalled.map((d) => d.outcome === "allowed" && d.source)).toEqual(stalled.map(() => "fallback"));
    expect(latencies).toHaveLength(16);
    expect(await limiter.check({ subject: `user:${uniqueId()}`, windows })).toMatchObject({ outcome: "allowed", source: "redis" });
  });

  it("never lets a throwing hook turn a decision into an exception", async () => {
    const throwing = () => {
      throw new Error("metrics broke");
    };
    const limiter = limiterWith({ hooks: { onDecision: throwing, onError: throwing, onRedisLatency: throwing } });
    expect(await limiter.check({ subject: `user:${uniqueId()}`, windows })).toMatchObject({ outcome: "allowed", source: "redis" });
    await server.stop();
    expect(await limiter.check({ subject: `user:${uniqueId()}`, windows })).toMatchObject({ outcome: "allowed", source: "fallback" });
  });
});
