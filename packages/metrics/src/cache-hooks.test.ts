import { describe, expect, it } from "vitest";
import { createMetrics } from "./create-metrics.js";

async function values(metric: { get(): Promise<{ values: { labels: object; value: number }[] }> }) {
  return (await metric.get()).values.map(({ labels, value }) => ({ labels, value }));
}

describe("cacheHooks", () => {
  it("counts fresh and stale hits as hits, misses and sets by key type", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const hooks = metrics.cacheHooks();
    hooks.onHit("result", "l1");
    hooks.onHit("result", "l2");
    hooks.onStaleHit("result");
    hooks.onHit("scan", "l1");
    hooks.onMiss("result");
    hooks.onSet("result");
    expect(await values(metrics.cacheHits)).toEqual([
      { labels: { key_type: "result" }, value: 3 },
      { labels: { key_type: "scan" }, value: 1 },
    ]);
    expect(await values(metrics.cacheMisses)).toEqual([{ labels: { key_type: "result" }, value: 1 }]);
    expect(await values(metrics.cacheSets)).toEqual([{ labels: { key_type: "result" }, value: 1 }]);
  });

  it("counts errors by operation and times operations", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const hooks = metrics.cacheHooks();
    hooks.onError("get", new Error("ETIMEDOUT"));
    hooks.onError("get", "anything");
    hooks.onOperation("get", 0.0004);
    hooks.onOperation("get", 0.02);
    expect(await values(metrics.cacheErrors)).toEqual([{ labels: { operation: "get" }, value: 2 }]);
    const { values: histogram } = await metrics.cacheOperationDuration.get();
    expect(histogram.find((v) => v.metricName?.endsWith("_count"))).toMatchObject({ labels: { operation: "get" }, value: 2 });
    expect(histogram.find((v) => (v.labels as { le?: number }).le === 0.0005)?.value).toBe(1);
  });

  it("adds the number of invalidated keys by reason", async () => {
    const metrics = createMetrics({ service: "cache-worker", defaultMetrics: false });
    const hooks = metrics.cacheHooks();
    hooks.onInvalidation("scan.completed", 3);
    hooks.onInvalidation("scan.completed", 2);
    hooks.onInvalidation("flush", 0);
    expect(await values(metrics.cacheInvalidations)).toEqual([
      { labels: { reason: "scan.completed" }, value: 5 },
      { labels: { reason: "flush" }, value: 0 },
    ]);
  });

  it("drops nonsense numbers instead of throwing into the cache's hot path", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const hooks = metrics.cacheHooks();
    expect(() => hooks.onInvalidation("tag", -1)).not.toThrow();
    expect(() => hooks.onInvalidation("tag", Number.NaN)).not.toThrow();
    expect(() => hooks.onOperation("get", Number.POSITIVE_INFINITY)).not.toThrow();
    expect(() => hooks.onOperation("get", -0.1)).not.toThrow();
    expect(await values(metrics.cacheInvalidations)).toEqual([]);
    expect((await metrics.cacheOperationDuration.get()).values).toEqual([]);
  });
});
