import { register as globalRegistry } from "prom-client";
import { describe, expect, it } from "vitest";
import { type SecapiMetrics, createMetrics } from "./create-metrics.js";
import { parseScrape, samplesOf } from "./scrape.fixture.js";

/** docs/OPERATIONS.md "Metrics", copied by hand: the external contract these tests pin. */
const DESIGN_METRICS = [
  { name: "secapi_scan_requests_total", type: "counter", labels: ["scan_type", "status", "tier"] },
  { name: "secapi_scan_duration_seconds", type: "histogram", labels: ["scan_type"] },
  { name: "secapi_cache_hits_total", type: "counter", labels: ["key_type"] },
  { name: "secapi_cache_misses_total", type: "counter", labels: ["key_type"] },
  { name: "secapi_cache_errors_total", type: "counter", labels: ["operation"] },
  { name: "secapi_cache_operation_duration_seconds", type: "histogram", labels: ["operation"] },
  { name: "secapi_rate_limit_exceeded_total", type: "counter", labels: ["tier", "endpoint"] },
  { name: "secapi_http_request_duration_seconds", type: "histogram", labels: ["method", "route", "status_code"] },
  { name: "secapi_queue_jobs", type: "gauge", labels: ["queue", "state"] },
  { name: "secapi_events_processed_total", type: "counter", labels: ["type", "outcome"] },
  { name: "secapi_cache_invalidations_total", type: "counter", labels: ["reason"] },
] as const;

/** Touches every metric once, through the same calls the apps and libraries make. */
function exercise(metrics: SecapiMetrics): void {
  metrics.scanRequests.inc({ scan_type: "secrets", status: "queued", tier: "free" });
  metrics.scanDuration.observe({ scan_type: "secrets" }, 0.3);
  const cache = metrics.cacheHooks();
  cache.onHit("result", "l2");
  cache.onMiss("result");
  cache.onSet("result");
  cache.onError("get", new Error("timeout"));
  cache.onOperation("get", 0.002);
  cache.onInvalidation("scan.completed", 2);
  metrics.limiterHooks(() => ({ tier: "free", endpoint: "scans" })).onDecision({ subject: "u1" }, { outcome: "denied" });
  metrics.httpRequestDuration.observe({ method: "GET", route: "/api/v1/scans/:id", status_code: "200" }, 0.01);
  metrics.queueJobs.set({ queue: "scans", state: "waiting" }, 3);
  metrics.eventsProcessed.inc({ type: "scan.completed", outcome: "ok" });
}

async function scrape(metrics: SecapiMetrics) {
  return parseScrape(await metrics.registry.metrics());
}

describe("createMetrics", () => {
  it("exposes every documented metric with exactly its labels (plus the service label)", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    exercise(metrics);
    const scraped = await scrape(metrics);
    for (const { name, type, labels } of DESIGN_METRICS) {
      expect(scraped.types.get(name), name).toBe(type);
      const series = type === "histogram" ? ["_bucket", "_sum", "_count"].map((suffix) => `${name}${suffix}`) : [name];
      for (const seriesName of series) {
        const samples = samplesOf(scraped, seriesName);
        expect(samples.length, seriesName).toBeGreaterThan(0);
        const expected = [...labels, "service", ...(seriesName.endsWith("_bucket") ? ["le"] : [])].sort();
        for (const sample of samples) expect(Object.keys(sample.labels).sort(), seriesName).toEqual(expected);
      }
    }
  });

  it("labels every series, default process metrics included, with the service", async () => {
    const metrics = createMetrics({ service: "scan-worker" });
    exercise(metrics);
    const scraped = await scrape(metrics);
    expect(scraped.types.get("process_cpu_user_seconds_total")).toBe("counter");
    expect(scraped.types.get("nodejs_heap_size_used_bytes")).toBe("gauge");
    expect(scraped.samples.length).toBeGreaterThan(50);
    for (const sample of scraped.samples) expect(sample.labels.service, sample.name).toBe("scan-worker");
  });

  it("leaves the default process metrics out on request", async () => {
    const scraped = await scrape(createMetrics({ service: "api", defaultMetrics: false }));
    expect([...scraped.types.keys()].filter((name) => !name.startsWith("secapi_"))).toEqual([]);
  });

  it("shares no state between two instances or with prom-client's global registry", async () => {
    const first = createMetrics({ service: "api" });
    const second = createMetrics({ service: "api" });
    first.cacheHits.inc({ key_type: "result" }, 5);
    expect(samplesOf(await scrape(first), "secapi_cache_hits_total").map((s) => s.value)).toEqual([5]);
    expect(samplesOf(await scrape(second), "secapi_cache_hits_total")).toEqual([]);
    expect(globalRegistry.getSingleMetric("secapi_cache_hits_total")).toBeUndefined();
  });
});
