import { TestRedisServer } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CacheUnavailableError } from "../src/index.js";
import { cacheFixture, sleep } from "./cache-fixture.js";

// A Redis of this file's own, so that it can be stopped and slowed without disturbing anything else.
let server: TestRedisServer;
let fx: ReturnType<typeof cacheFixture>;

beforeAll(async () => {
  server = await TestRedisServer.start(["--enable-debug-command", "yes"]);
  fx = cacheFixture(server.url());
});

afterAll(async () => {
  await fx.cleanup();
  await server.stop();
});

const TIMEOUT_MS = 50;
const FENCE_MS = 100;
const COOLDOWN_MS = 200;
const options = { ttl: 60 };

/** Runs `count` getOrLoad calls 5 ms apart, timing each, alternately on the cached key and on fresh ones. */
async function timedCalls(cache: Awaited<ReturnType<typeof fx.instance>>["cache"], cachedKey: string, count: number, since: number) {
  const calls: { status: string; ms: number; startedAfterMs: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await sleep(5);
    const started = performance.now();
    const result = await cache.getOrLoad(i % 2 ? cachedKey : fx.key(), async () => "from the database", options);
    expect(result.value).toBe("from the database");
    calls.push({ status: result.status, ms: performance.now() - started, startedAfterMs: started - since });
  }
  return calls;
}

describe("Redis outages", () => {
  it("Redis down: every call answers from the loader, bounded by the timeout and then ~0 once the breaker opens; caching resumes by itself", async () => {
    const { cache } = await fx.instance({ timeoutMs: TIMEOUT_MS, fenceMs: FENCE_MS, breaker: { failureThreshold: 3, cooldownMs: 200 } });
    const key = fx.key();
    expect((await cache.getOrLoad(key, async () => "from the database", options)).status).toBe("MISS");
    expect((await cache.getOrLoad(key, async () => "other", options)).status).toBe("HIT");

    await server.stop();
    const stoppedAt = performance.now();
    const calls = await timedCalls(cache, key, 40, stoppedAt);
    console.log(`[cache] Redis down: first calls ${calls.slice(0, 4).map((c) => `${c.status} ${c.ms.toFixed(1)}`).join(", ")} ms; max after them ${Math.max(...calls.slice(4).map((c) => c.ms)).toFixed(2)} ms`);
    expect(calls.every((c) => c.status === "BYPASS" || c.status === "HIT")).toBe(true);
    expect(Math.max(...calls.slice(0, 4).map((c) => c.ms))).toBeLessThan(TIMEOUT_MS * 2 + 100);
    expect(Math.max(...calls.slice(4).map((c) => c.ms))).toBeLessThan(50);
    // L1 cannot confirm its fence while Redis is away, so it stops serving within fenceMs.
    const late = calls.filter((c) => c.startedAfterMs > FENCE_MS);
    expect(late.length).toBeGreaterThan(10);
    expect(late.every((c) => c.status === "BYPASS")).toBe(true);
    expect(cache.stats()).toMatchObject({ connected: false });

    const started = performance.now();
    expect(await cache.get(key)).toEqual({ value: undefined, status: "BYPASS" });
    expect(await cache.set(key, "x", options)).toBe(false);
    expect(await cache.ttl(key)).toBe(-2);
    expect(await cache.ping()).toBeUndefined();
    await expect(cache.invalidateTags(["user:1"])).rejects.toBeInstanceOf(CacheUnavailableError);
    await expect(cache.delete(key)).rejects.toMatchObject({ code: "cache_unavailable" });
    expect(performance.now() - started).toBeLessThan(200);

    await server.start();
    const fresh = fx.key();
    await expect
      .poll(async () => (await cache.getOrLoad(fresh, async () => "from the database", options)).status, { timeout: 10_000, interval: 50 })
      .toBe("MISS");
    expect((await cache.getOrLoad(fresh, async () => "other", options)).status).toBe("HIT");
    expect(cache.stats().connected).toBe(true);
  });

  it("Redis slow (a 1 s stall): calls are bounded by the timeout, then bypass, and recover after the stall", async () => {
    const { cache } = await fx.instance({ timeoutMs: TIMEOUT_MS, fenceMs: FENCE_MS, breaker: { failureThreshold: 3, cooldownMs: COOLDOWN_MS } });
    const key = fx.key();
    await cache.getOrLoad(key, async () => "from the database", options);
    const stall = fx.admin.call("DEBUG", "SLEEP", "1");
    const stalledAt = performance.now();
    const calls = await timedCalls(cache, key, 20, stalledAt);
    console.log(`[cache] Redis stalled: first calls ${calls.slice(0, 4).map((c) => `${c.status} ${c.ms.toFixed(1)}`).join(", ")} ms; max after them ${Math.max(...calls.slice(4).map((c) => c.ms)).toFixed(2)} ms`);
    expect(Math.max(...calls.map((c) => c.ms))).toBeLessThan(TIMEOUT_MS * 2 + 100);
    // Once open, the breaker lets one call through per cooldown to probe Redis, and during the stall that probe
    // waits out the timeout: on a loaded machine the calls can outlast a cooldown. Every other call is ~0.
    const later = calls.slice(4);
    const probes = later.filter((c) => c.ms >= 50);
    const elapsedMs = (later.at(-1)?.startedAfterMs ?? 0) + 1;
    expect(probes.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / COOLDOWN_MS));
    await stall;
    const fresh = fx.key();
    await expect
      .poll(async () => (await cache.getOrLoad(fresh, async () => "from the database", options)).status, { timeout: 10_000, interval: 50 })
      .toBe("MISS");
    expect((await cache.getOrLoad(fresh, async () => "other", options)).status).toBe("HIT");
  });

  it("start() resolves while Redis is down, and the cache works once it is up", async () => {
    await server.stop();
    const started = performance.now();
    const { cache } = await fx.instance({ breaker: { cooldownMs: 200 } });
    expect(performance.now() - started).toBeLessThan(3000);
    expect((await cache.getOrLoad(fx.key(), async () => 1, options)).status).toBe("BYPASS");
    await server.start();
    const key = fx.key();
    await expect.poll(async () => (await cache.getOrLoad(key, async () => 1, options)).status, { timeout: 10_000, interval: 50 }).toBe("MISS");
    expect((await cache.getOrLoad(key, async () => 2, options)).status).toBe("HIT");
  });
});
