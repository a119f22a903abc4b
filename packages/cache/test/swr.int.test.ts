import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { cacheFixture, manualClock } from "./cache-fixture.js";

const fx = cacheFixture();
afterEach(() => fx.closeInstances());
afterAll(() => fx.cleanup());

describe("stale-while-revalidate", () => {
  it("within grace, readers on every instance get STALE at once while exactly one refresh runs; then the new value everywhere", async () => {
    const clock = manualClock();
    const a = await fx.instance({ clock: clock.now });
    const b = await fx.instance({ clock: clock.now });
    const key = fx.key("scan");
    // The refresh's load does not finish until the readers have answered: readers that waited for it would
    // never answer (and the test would time out), however slow the machine.
    let loads = 0;
    let finishRefresh!: () => void;
    const refreshGate = new Promise<void>((resolve) => (finishRefresh = resolve));
    const loader = async () => {
      const version = ++loads;
      if (version > 1) await refreshGate;
      return `v${version}`;
    };
    const options = { ttl: 10, grace: 60 };
    expect(await a.cache.getOrLoad(key, loader, options)).toEqual({ value: "v1", status: "MISS" });
    expect(await b.cache.getOrLoad(key, loader, options)).toEqual({ value: "v1", status: "HIT" });

    clock.advance(10_001);
    const started = performance.now();
    const readers = await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).cache.getOrLoad(key, loader, options)));
    const elapsed = performance.now() - started;
    console.log(`[cache] 100 readers within grace answered STALE in ${elapsed.toFixed(1)} ms, the refresh still loading`);
    expect(readers.every((r) => r.status === "STALE" && r.value === "v1")).toBe(true);
    finishRefresh();

    for (const { cache } of [a, b]) {
      await expect
        .poll(() => cache.getOrLoad(key, loader, options), { timeout: 15_000, interval: 20 })
        .toEqual({ value: "v2", status: "HIT" });
    }
    expect(loads).toBe(2);
    expect(a.cache.stats().staleHits + b.cache.stats().staleHits).toBeGreaterThanOrEqual(100);
  });

  it("a failed refresh keeps serving the stale entry within grace", async () => {
    const clock = manualClock();
    const onError = vi.fn();
    const { cache } = await fx.instance({ clock: clock.now, hooks: { onError } });
    const key = fx.key();
    await cache.getOrLoad(key, async () => "good", { ttl: 10, grace: 60 });
    clock.advance(11_000);
    const failing = async (): Promise<string> => {
      throw new Error("db down");
    };
    expect(await cache.getOrLoad(key, failing, { ttl: 10, grace: 60 })).toEqual({ value: "good", status: "STALE" });
    await expect.poll(() => onError.mock.calls.some(([operation]) => operation === "loader"), { timeout: 10_000 }).toBe(true);
    expect(await cache.getOrLoad(key, failing, { ttl: 10, grace: 60 })).toEqual({ value: "good", status: "STALE" });
  });
});

describe("stale-if-error", () => {
  it("serves the expired entry while the loader fails, within staleIfError only, from either instance", async () => {
    const clock = manualClock();
    const onError = vi.fn();
    const a = await fx.instance({ clock: clock.now, hooks: { onError } });
    const b = await fx.instance({ clock: clock.now });
    const key = fx.key();
    const options = { ttl: 10, staleIfError: 300 };
    await a.cache.getOrLoad(key, async () => "good", options);
    const failing = async (): Promise<string> => {
      throw new Error("db down");
    };

    clock.advance(11_000);
    expect(await a.cache.getOrLoad(key, failing, options)).toEqual({ value: "good", status: "STALE" });
    expect(onError).toHaveBeenCalledWith("loader", expect.objectContaining({ message: "db down" }));
    expect(await b.cache.getOrLoad(key, failing, options)).toEqual({ value: "good", status: "STALE" });
    // Past grace (0 here) it is not served to a caller whose loader works.
    expect(await b.cache.getOrLoad(key, async () => "fresh", options)).toEqual({ value: "fresh", status: "MISS" });

    await a.cache.delete(key);
    await a.cache.getOrLoad(key, async () => "good", options);
    clock.advance(310_001);
    await expect(a.cache.getOrLoad(key, failing, options)).rejects.toThrow("db down");
  });
});
