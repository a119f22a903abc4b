import { TestRedisServer } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cache, CacheTimeoutError, CacheUnavailableError } from "../src/index.js";
import { cacheFixture, sleep } from "./cache-fixture.js";

// A Redis of this file's own, so that it can be stopped and hung without disturbing anything else.
let server: TestRedisServer;
let fx: ReturnType<typeof cacheFixture>;

beforeAll(async () => {
  server = await TestRedisServer.start();
  fx = cacheFixture(server.url());
});

afterAll(async () => {
  await fx.cleanup();
  await server.stop();
});

const TIMEOUT_MS = 50;
const FENCE_MS = 100;
const COOLDOWN_MS = 200;
// The longest the hung Redis stays hung: a call that waited for it answers only after, and fails the test.
const STALL_MS = 20_000;
const options = { ttl: 60 };

/**
 * An instance with the short timeouts above and a breaker that opens after 3 failures, counting the calls that
 * waited out the timeout (a CacheTimeoutError): the only ones that waited for Redis at all. Counts rather than
 * milliseconds, so that a loaded machine cannot make a fast call look like a wait.
 */
async function instanceCountingTimeouts() {
  let timeouts = 0;
  const { cache } = await fx.instance({
    timeoutMs: TIMEOUT_MS,
    fenceMs: FENCE_MS,
    breaker: { failureThreshold: 3, cooldownMs: COOLDOWN_MS },
    hooks: { onError: (_operation, error) => void (error instanceof CacheTimeoutError && timeouts++) },
  });
  return { cache, timeouts: { count: () => timeouts } };
}

/**
 * Runs `count` getOrLoad calls 5 ms apart, alternately on the cached key and on fresh ones: each call's time,
 * when it started after `since`, and whether Redis was still away when it answered.
 */
async function timedCalls(cache: Cache, cachedKey: string, count: number, since: number, isAway: () => boolean) {
  const calls: { status: string; ms: number; startedAfterMs: number; whileAway: boolean }[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(5);
    const started = performance.now();
    const result = await cache.getOrLoad(i % 2 ? cachedKey : fx.key(), async () => "from the database", options);
    expect(result.value).toBe("from the database");
    calls.push({ status: result.status, ms: performance.now() - started, startedAfterMs: started - since, whileAway: isAway() });
  }
  return calls;
}

const describeCalls = (calls: { status: string; ms: number }[]) =>
  `first calls ${calls
    .slice(0, 4)
    .map((c) => `${c.status} ${c.ms.toFixed(1)}`)
    .join(", ")} ms; max after them ${Math.max(...calls.slice(4).map((c) => c.ms)).toFixed(2)} ms`;

describe("Redis outages", () => {
  it("Redis down: every call answers from the loader while it is down, only the first few wait for Redis, no call once the breaker opens; caching resumes by itself", async () => {
    const { cache, timeouts } = await instanceCountingTimeouts();
    const key = fx.key();
    expect((await cache.getOrLoad(key, async () => "from the database", options)).status).toBe("MISS");
    expect((await cache.getOrLoad(key, async () => "other", options)).status).toBe("HIT");

    await server.stop();
    let down = true;
    const stoppedAt = performance.now();
    const calls = await timedCalls(cache, key, 40, stoppedAt, () => down);
    const elapsedMs = performance.now() - stoppedAt;
    console.log(`[cache] Redis down: ${describeCalls(calls)}; ${timeouts.count()} waited out the ${TIMEOUT_MS} ms timeout`);
    // Redis stays down until every call has answered: none waited for it.
    expect(calls.every((c) => c.whileAway)).toBe(true);
    expect(calls.every((c) => c.status === "BYPASS" || c.status === "HIT")).toBe(true);
    // The breaker opens after 3 failures; then only its probe (one per cooldown) may try Redis.
    expect(timeouts.count()).toBeLessThanOrEqual(3 + Math.ceil(elapsedMs / COOLDOWN_MS));
    // L1 cannot confirm its fence while Redis is away, so it stops serving within fenceMs.
    const late = calls.filter((c) => c.startedAfterMs > FENCE_MS);
    expect(late.length).toBeGreaterThan(10);
    expect(late.every((c) => c.status === "BYPASS")).toBe(true);
    expect(cache.stats()).toMatchObject({ connected: false });

    // With the breaker open nothing waits for Redis.
    const before = timeouts.count();
    expect(await cache.get(key)).toEqual({ value: undefined, status: "BYPASS" });
    expect(await cache.set(key, "x", options)).toBe(false);
    expect(await cache.ttl(key)).toBe(-2);
    expect(await cache.ping()).toBeUndefined();
    await expect(cache.invalidateTags(["user:1"])).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(cache.delete(key)).rejects.toMatchObject({ code: "cache_unavailable" });
    expect(timeouts.count()).toBe(before);

    await server.start();
    down = false;
    const fresh = fx.key();
    await expect
      .poll(async () => (await cache.getOrLoad(fresh, async () => "from the database", options)).status, { timeout: 15_000, interval: 50 })
      .toBe("MISS");
    expect((await cache.getOrLoad(fresh, async () => "other", options)).status).toBe("HIT");
    expect(cache.stats().connected).toBe(true);
  });

  it(
    "Redis hung: every call answers from the loader while it hangs, bounded by the timeout, then bypasses; it recovers after",
    { timeout: 120_000 },
    async () => {
      const { cache, timeouts } = await instanceCountingTimeouts();
      const key = fx.key();
      await cache.getOrLoad(key, async () => "from the database", options);
      const stall = server.stall(STALL_MS);
      const stalledAt = performance.now();
      const calls = await timedCalls(cache, key, 20, stalledAt, () => !stall.isOver());
      const elapsedMs = performance.now() - stalledAt;
      await stall.end();
      console.log(`[cache] Redis hung: ${describeCalls(calls)}; ${timeouts.count()} waited out the ${TIMEOUT_MS} ms timeout`);
      // A call that waited for the hung Redis would have answered only after the stall.
      expect(calls.every((c) => c.whileAway)).toBe(true);
      expect(Math.max(...calls.map((c) => c.ms))).toBeLessThan(STALL_MS / 4);
      // Once a call has timed out nothing more is sent to the hung connection, and the breaker's probe (one per
      // cooldown) is not sent either while the timed-out command is unanswered.
      expect(timeouts.count()).toBeGreaterThan(0);
      expect(timeouts.count()).toBeLessThanOrEqual(3 + Math.ceil(elapsedMs / COOLDOWN_MS));
      const fresh = fx.key();
      await expect
        .poll(async () => (await cache.getOrLoad(fresh, async () => "from the database", options)).status, {
          timeout: 15_000,
          interval: 50,
        })
        .toBe("MISS");
      expect((await cache.getOrLoad(fresh, async () => "other", options)).status).toBe("HIT");
    },
  );

  it("start() resolves while Redis is down, and the cache works once it is up", async () => {
    await server.stop();
    const started = performance.now();
    const { cache } = await fx.instance({ timeoutMs: TIMEOUT_MS, breaker: { cooldownMs: COOLDOWN_MS } });
    console.log(`[cache] start() with Redis down resolved after ${(performance.now() - started).toFixed(0)} ms`);
    expect((await cache.getOrLoad(fx.key(), async () => 1, options)).status).toBe("BYPASS");
    // Redis comes back only now: start() did not wait for it.
    await server.start();
    const key = fx.key();
    await expect
      .poll(async () => (await cache.getOrLoad(key, async () => 1, options)).status, { timeout: 15_000, interval: 50 })
      .toBe("MISS");
    expect((await cache.getOrLoad(key, async () => 2, options)).status).toBe("HIT");
  });
});
