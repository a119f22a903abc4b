import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { CacheKeyError, CacheOptionsError, type CacheHooks, createEntry, encodeEntry } from "../src/index.js";
import { cacheFixture, manualClock } from "./cache-fixture.js";

const fx = cacheFixture();
afterEach(() => fx.closeInstances());
afterAll(() => fx.cleanup());

describe("getOrLoad", () => {
  it("MISS loads once and writes both tiers; then HIT from L1, or from L2 (refilling L1) in another instance", async () => {
    const hooks = { onHit: vi.fn(), onMiss: vi.fn(), onSet: vi.fn() } satisfies CacheHooks;
    const a = await fx.instance({ hooks });
    const b = await fx.instance({ hooks });
    const key = fx.key("scan");
    const loader = vi.fn(async () => ({ body: { id: 1 }, etag: "W/1" }));

    expect(await a.cache.getOrLoad(key, loader, { ttl: 60 })).toEqual({ value: { body: { id: 1 }, etag: "W/1" }, status: "MISS" });
    expect(await a.cache.getOrLoad(key, loader, { ttl: 60 })).toMatchObject({ status: "HIT" });
    expect(hooks.onHit).toHaveBeenLastCalledWith("scan", "l1");

    expect(await b.cache.getOrLoad(key, loader, { ttl: 60 })).toMatchObject({ status: "HIT", value: { etag: "W/1" } });
    expect(hooks.onHit).toHaveBeenLastCalledWith("scan", "l2");
    // The tiered refill (unkey's bug: built, never called): the L2 hit put the entry in b's L1.
    expect(b.cache.stats().l1.entries).toBe(1);
    expect(await b.cache.getOrLoad(key, loader, { ttl: 60 })).toMatchObject({ status: "HIT" });
    expect(hooks.onHit).toHaveBeenLastCalledWith("scan", "l1");

    expect(loader).toHaveBeenCalledTimes(1);
    expect(hooks.onMiss).toHaveBeenCalledWith("scan");
    expect(hooks.onSet).toHaveBeenCalledTimes(1);
  });

  it("stores the entry with its metadata and an L2 lifetime of ttl + max(grace, staleIfError)", async () => {
    const { cache } = await fx.instance();
    const key = fx.key("result");
    await cache.getOrLoad(key, async () => "v", { ttl: 30, grace: 10, staleIfError: 100, tags: ["user:1"] });
    const raw = (await fx.admin.get(key)) as string;
    expect(JSON.parse(raw.split("\n")[0] as string)).toMatchObject({ v: 1, t: ["user:1"] });
    const pttl = await fx.admin.pttl(key);
    expect(pttl).toBeGreaterThan(129_000);
    expect(pttl).toBeLessThanOrEqual(130_000);
    expect(await cache.ttl(key)).toBe(30);
    expect(await cache.ttl(fx.key("result"))).toBe(-2);
  });

  it("takes tags and a ttl from the loaded value (tagsOf, ttlOf), and invalidates by those tags", async () => {
    const { cache } = await fx.instance();
    const found = fx.key("result");
    const missing = fx.key("result");
    const options = {
      ttl: 3600,
      tags: ["kind:result"],
      tagsOf: (value: { packages: string[] } | null) => (value ? value.packages.map((p) => `pkg:npm/${p}`) : []),
      ttlOf: (value: { packages: string[] } | null) => (value ? 3600 : 0),
    };
    await cache.getOrLoad(found, async () => ({ packages: ["lodash", "minimist"] }), options);
    expect(JSON.parse(((await fx.admin.get(found)) as string).split("\n")[0] as string)).toMatchObject({
      t: ["kind:result", "pkg:npm/lodash", "pkg:npm/minimist"],
    });
    expect(await cache.ttl(found)).toBe(3600);
    // ttlOf 0: served, not cached.
    expect(await cache.getOrLoad(missing, async () => null, options)).toEqual({ status: "MISS", value: null });
    expect(await cache.ttl(missing)).toBe(-2);
    expect(await cache.getOrLoad(missing, async () => ({ packages: [] }), options)).toMatchObject({
      status: "MISS",
      value: { packages: [] },
    });

    expect(await cache.invalidateTags(["pkg:npm/minimist"])).toBe(1);
    expect(await cache.get(found)).toMatchObject({ status: "MISS", value: undefined });
    await expect(cache.getOrLoad(fx.key("result"), async () => 1, { ttl: 60, tagsOf: () => [""] })).rejects.toBeInstanceOf(
      CacheOptionsError,
    );
  });

  it("expires: after ttl (no grace) the loader runs again", async () => {
    const clock = manualClock();
    const { cache } = await fx.instance({ clock: clock.now });
    const key = fx.key();
    let version = 0;
    const loader = async () => ++version;
    expect(await cache.getOrLoad(key, loader, { ttl: 10 })).toEqual({ value: 1, status: "MISS" });
    clock.advance(9_999);
    expect(await cache.getOrLoad(key, loader, { ttl: 10 })).toEqual({ value: 1, status: "HIT" });
    clock.advance(1);
    expect(await cache.getOrLoad(key, loader, { ttl: 10 })).toEqual({ value: 2, status: "MISS" });
  });

  it("shares one load between concurrent callers in a process", async () => {
    const { cache } = await fx.instance();
    const key = fx.key();
    let calls = 0;
    const loader = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 50));
      return "v";
    };
    const results = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad(key, loader, { ttl: 60 })));
    expect(calls).toBe(1);
    expect(new Set(results.map((r) => r.value))).toEqual(new Set(["v"]));
  });

  it("returns the loader's error to every waiting caller and caches nothing", async () => {
    const { cache } = await fx.instance();
    const key = fx.key();
    const failing = async () => {
      await new Promise((r) => setTimeout(r, 20));
      throw new Error("database down");
    };
    const results = await Promise.allSettled([cache.getOrLoad(key, failing, { ttl: 60 }), cache.getOrLoad(key, failing, { ttl: 60 })]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
    expect(await fx.admin.exists(key)).toBe(0);
    expect(await cache.getOrLoad(key, async () => "ok", { ttl: 60 })).toEqual({ value: "ok", status: "MISS" });
  });

  it("gives an L1 hit the same JSON round trip as an L2 hit", async () => {
    const a = await fx.instance();
    const b = await fx.instance();
    const key = fx.key();
    const when = new Date("2026-01-01T00:00:00Z");
    expect((await a.cache.getOrLoad(key, async () => ({ when }), { ttl: 60 })).value).toEqual({ when });
    expect((await a.cache.getOrLoad(key, async () => ({ when }), { ttl: 60 })).value).toEqual({ when: when.toISOString() });
    expect((await b.cache.getOrLoad(key, async () => ({ when }), { ttl: 60 })).value).toEqual({ when: when.toISOString() });
  });
});

describe("set / get / delete", () => {
  it("set writes both tiers and replaces other instances' L1 copies; delete removes everywhere", async () => {
    const a = await fx.instance();
    const b = await fx.instance();
    const key = fx.key("user");
    expect(await a.cache.get(key)).toEqual({ value: undefined, status: "MISS" });
    expect(await a.cache.set(key, { n: 1 }, { ttl: 60 })).toBe(true);
    expect(await a.cache.get(key)).toEqual({ value: { n: 1 }, status: "HIT" });
    expect(await b.cache.get(key)).toEqual({ value: { n: 1 }, status: "HIT" });
    // A fill that races the set's invalidation message is refused (conservatively); the next one sticks.
    await vi.waitFor(
      async () => {
        await b.cache.get(key);
        expect(b.cache.stats().l1.entries).toBe(1);
      },
      { timeout: 10_000 },
    );

    expect(await a.cache.set(key, { n: 2 }, { ttl: 60 })).toBe(true);
    await vi.waitFor(async () => expect(await b.cache.get(key)).toEqual({ value: { n: 2 }, status: "HIT" }), {
      timeout: 10_000,
      interval: 5,
    });

    expect(await b.cache.delete(key, fx.key("user"))).toBe(1);
    expect(await b.cache.get(key)).toEqual({ value: undefined, status: "MISS" });
    await vi.waitFor(async () => expect(await a.cache.get(key)).toEqual({ value: undefined, status: "MISS" }), {
      timeout: 10_000,
      interval: 5,
    });
    expect(await fx.admin.exists(key)).toBe(0);
  });

  it("get serves a stale entry within grace as STALE without loading", async () => {
    const clock = manualClock();
    const { cache } = await fx.instance({ clock: clock.now });
    const key = fx.key();
    await cache.set(key, "v", { ttl: 1, grace: 5 });
    clock.advance(2000);
    expect(await cache.get(key)).toEqual({ value: "v", status: "STALE" });
    clock.advance(5000);
    expect(await cache.get(key)).toEqual({ value: undefined, status: "MISS" });
  });

  it("set refuses values without a JSON form", async () => {
    const { cache } = await fx.instance();
    expect(await cache.set(fx.key(), undefined, { ttl: 1 })).toBe(false);
    expect(await cache.set(fx.key(), { big: 1n }, { ttl: 1 })).toBe(false);
  });
});

describe("corrupted entries", () => {
  it.each([
    ["garbage", "\u0000\u0001garbage"],
    ["foreign JSON", '{"body":"written by something else"}'],
    ["another format version", `{"v":99,"f":0,"s":0,"e":0,"t":[]}\n1`],
    ["a truncated value", (encodeEntry(createEntry({ a: 1 }, { ttl: 60 }, Date.now())) as string).slice(0, -3)],
  ])("%s: deleted, reloaded, counted as an error and a miss", async (_, garbage) => {
    const onError = vi.fn();
    const { cache } = await fx.instance({ hooks: { onError } });
    const key = fx.key();
    await fx.admin.set(key, garbage);
    const before = cache.stats();
    expect(await cache.getOrLoad(key, async () => "fresh", { ttl: 60 })).toEqual({ value: "fresh", status: "MISS" });
    const after = cache.stats();
    expect(after.errors - before.errors).toBe(1);
    expect(after.misses - before.misses).toBe(1);
    expect(onError).toHaveBeenCalledWith("decode", expect.objectContaining({ code: "cache_corrupt_entry" }));
    expect((await fx.admin.get(key))?.endsWith('\n"fresh"')).toBe(true);
  });

  it("a corrupt entry read by get is deleted", async () => {
    const { cache } = await fx.instance();
    const key = fx.key();
    await fx.admin.set(key, "garbage");
    expect(await cache.get(key)).toEqual({ value: undefined, status: "MISS" });
    await vi.waitFor(async () => expect(await fx.admin.exists(key)).toBe(0), { timeout: 10_000 });
  });
});

describe("stats, options and keys", () => {
  it("counts hits, misses, stale hits and sets per key type, with a hit rate", async () => {
    const clock = manualClock();
    const { cache } = await fx.instance({ clock: clock.now });
    const scan = fx.key("scan");
    const auth = fx.key("auth");
    await cache.getOrLoad(scan, async () => 1, { ttl: 1, grace: 60 });
    await cache.getOrLoad(scan, async () => 1, { ttl: 1, grace: 60 });
    await cache.getOrLoad(auth, async () => 2, { ttl: 60 });
    clock.advance(1500);
    expect((await cache.getOrLoad(scan, async () => 1, { ttl: 1, grace: 60 })).status).toBe("STALE");
    const stats = cache.stats();
    expect(stats).toMatchObject({ enabled: true, connected: true, hits: 1, misses: 2, staleHits: 1 });
    expect(stats.hitRate).toBeCloseTo(0.5);
    expect(stats.byKeyType.scan).toMatchObject({ hits: 1, misses: 1, staleHits: 1 });
    expect(stats.byKeyType.auth).toEqual({ hits: 0, misses: 1, staleHits: 0, sets: 1 });
    expect(stats.l1.bytes).toBeGreaterThan(0);
  });

  it("reports the latency of each Redis operation", async () => {
    const onOperation = vi.fn();
    const started = performance.now();
    const { cache } = await fx.instance({ hooks: { onOperation } });
    await cache.getOrLoad(fx.key(), async () => 1, { ttl: 60 });
    const calls = [...onOperation.mock.calls];
    const wholeCall = (performance.now() - started) / 1000;
    const operations = new Set(calls.map(([op]) => op as string));
    expect([...operations]).toEqual(expect.arrayContaining(["get", "lock", "set", "fence"]));
    // Each in seconds, and each within the calls that made it (however slow the machine).
    const latencies = calls.map(([, seconds]) => seconds as number);
    expect(Math.min(...latencies)).toBeGreaterThan(0);
    expect(Math.max(...latencies)).toBeLessThanOrEqual(wholeCall);
  });

  it("uses a custom key type function", async () => {
    const { cache } = await fx.instance({ keyType: () => "custom" });
    await cache.getOrLoad(fx.key(), async () => 1, { ttl: 60 });
    expect(Object.keys(cache.stats().byKeyType)).toEqual(["custom"]);
  });

  it("rejects keys outside the prefix and unusable options", async () => {
    const { cache } = await fx.instance();
    await expect(cache.getOrLoad("other:scan:1", async () => 1, { ttl: 60 })).rejects.toThrow(CacheKeyError);
    await expect(cache.get(`${fx.prefix}:__cache:fence`)).rejects.toThrow(CacheKeyError);
    await expect(cache.getOrLoad(fx.key(), async () => 1, { ttl: 0 })).rejects.toThrow(CacheOptionsError);
  });

  it("enabled: false bypasses everything", async () => {
    const { cache } = await fx.instance({ enabled: false });
    const key = fx.key();
    expect(await cache.getOrLoad(key, async () => 1, { ttl: 60 })).toEqual({ value: 1, status: "BYPASS" });
    expect(await cache.get(key)).toEqual({ value: undefined, status: "BYPASS" });
    expect(await cache.set(key, 1, { ttl: 60 })).toBe(false);
    expect(await cache.delete(key)).toBe(0);
    expect(await fx.admin.exists(key)).toBe(0);
    expect(cache.stats()).toMatchObject({ enabled: false, connected: false, bypasses: 2, hits: 0, misses: 0 });
  });

  it("l1: false serves every hit from Redis", async () => {
    const { cache } = await fx.instance({ l1: false });
    const key = fx.key();
    await cache.getOrLoad(key, async () => 1, { ttl: 60 });
    expect(await cache.getOrLoad(key, async () => 2, { ttl: 60 })).toEqual({ value: 1, status: "HIT" });
    expect(cache.stats().l1).toEqual({ entries: 0, bytes: 0 });
  });

  it("bounds L1 by entries", async () => {
    const { cache } = await fx.instance({ l1: { maxEntries: 5 } });
    for (let i = 0; i < 12; i++) await cache.getOrLoad(fx.key(), async () => i, { ttl: 60 });
    expect(cache.stats().l1.entries).toBe(5);
  });

  it("ping answers with a round-trip time", async () => {
    const { cache } = await fx.instance();
    const started = performance.now();
    const ms = await cache.ping();
    const wholeCall = performance.now() - started;
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThanOrEqual(wholeCall);
  });
});
