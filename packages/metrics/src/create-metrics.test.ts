import { register as globalRegistry } from "prom-client";
import { codeSpans, docsTable } from "@secapi/testing";
import { describe, expect, it } from "vitest";
import { type SecapiMetrics, createMetrics } from "./create-metrics.js";
import { parseScrape, samplesOf } from "./scrape.fixture.js";

/** docs/OPERATIONS.md "Metrics": the external contract these tests pin, read from the page itself. */
const DOCUMENTED_METRICS = docsTable("docs/OPERATIONS.md", "Metrics").map(([name, type, labels]) => ({
  name: codeSpans(name!)[0]!,
  type: type!,
  labels: codeSpans(labels!),
}));

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
  const limiter = metrics.limiterHooks(() => ({ tier: "free", endpoint: "scans" }));
  limiter.onDecision({ subject: "u1" }, { outcome: "denied" });
  limiter.onError("check", new Error("timeout"));
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
    expect(DOCUMENTED_METRICS.map(({ name }) => name)).toContain("secapi_scan_requests_total");
    for (const { name, type, labels } of DOCUMENTED_METRICS) {
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

  it("has no secapi_ metric that docs/OPERATIONS.md does not list", async () => {
    const registered = (await createMetrics({ service: "api" }).registry.getMetricsAsJSON()).map(({ name }) => name);
    const documented = DOCUMENTED_METRICS.map(({ name }) => name).sort();
    expect(registered.filter((name) => name.startsWith("secapi_")).sort()).toEqual(documented);
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
