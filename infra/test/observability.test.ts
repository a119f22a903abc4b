import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { RESULT_RERUNS_QUEUE } from "../../packages/events/src/queue-names.js";
import { HTTP_DURATION_BUCKETS, type SecapiMetrics, createMetrics } from "../../packages/metrics/src/index.js";
import { jobsSelected, metricNames, scrapeSeries } from "./promql.js";
import { promtool, withTempFiles } from "./promtool.js";

const infra = new URL("../", import.meta.url);
const pathOf = (path: string) => fileURLToPath(new URL(path, infra));
const read = (path: string) => readFileSync(new URL(path, infra), "utf8");

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface AlertTest {
  alert_rule_test: { alertname: string; exp_alerts: { exp_labels?: Record<string, string> }[] }[];
}
interface ScrapeConfig {
  job_name: string;
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: { names: string[]; port: number }[];
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId: string; expr: string }[];
}

const alerts = parse(read("prometheus/alerts.yml")) as { groups: { rules: Rule[] }[] };
const rules = alerts.groups.flatMap((group) => group.rules);
const prometheusConfig = parse(read("prometheus/prometheus.yml")) as { scrape_configs: ScrapeConfig[] };
const scrapeJobs = prometheusConfig.scrape_configs.map((config) => config.job_name);
const compose = parse(read("docker-compose.yml"), { merge: true }) as {
  services: Record<string, { volumes?: string[]; image?: string }>;
};
const dashboard = JSON.parse(read("grafana/dashboards/secapi.json")) as {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
};
const queryPanels = dashboard.panels.filter((panel) => panel.type !== "row");
const dashboardExprs = queryPanels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));

/** Metrics the exporters expose that the rules and the dashboard use: Prometheus' own `up`, redis_exporter, postgres_exporter. */
const EXPORTER_METRICS = ["up", "redis_up", "pg_up"];

/** The default-metric names prom-client has always used; promtool's linter dislikes `_total` on a gauge. */
const PROM_CLIENT_GAUGES_NAMED_TOTAL = ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"];

/** Touches every SecAPI metric, so each has series in a scrape. */
function exercise(metrics: SecapiMetrics): void {
  metrics.scanRequests.inc({ scan_type: "sbom", status: "completed", tier: "pro" });
  metrics.scanDuration.observe({ scan_type: "sbom" }, 2.5);
  const cache = metrics.cacheHooks();
  cache.onHit("result", "l1");
  cache.onMiss("result");
  cache.onSet("result");
  cache.onError("get", new Error("timeout"));
  cache.onOperation("get", 0.0008);
  cache.onInvalidation("scan.completed", 1);
  const limiter = metrics.limiterHooks(() => ({ tier: "free", endpoint: "requests_per_minute" }));
  limiter.onDecision({ subject: "ip:10.0.0.1" }, { outcome: "denied" });
  limiter.onError("check", new Error("down"));
  metrics.httpRequestDuration.observe({ method: "GET", route: "/api/v1/scans/:id", status_code: "200" }, 0.004);
  metrics.queueJobs.set({ queue: "scans", state: "waiting" }, 2);
  metrics.eventsProcessed.inc({ type: "scan.completed", outcome: "processed" });
}

/** Every series name SecAPI's processes expose (histograms as their _bucket/_sum/_count series). */
async function secapiSeriesNames(): Promise<Set<string>> {
  const metrics = createMetrics({ service: "api" });
  exercise(metrics);
  return new Set([...scrapeSeries(await metrics.registry.metrics(), () => true).keys()].map((series) => series.split("{")[0] ?? ""));
}

describe("infra/prometheus", () => {
  it("passes promtool check config (which checks the rule files as well)", () => {
    const { status, output } = promtool(["check", "config", pathOf("prometheus/prometheus.yml")]);
    expect(output).toContain("SUCCESS");
    expect(status, output).toBe(0);
  });

  it("passes promtool check rules", () => {
    const { status, output } = promtool(["check", "rules", pathOf("prometheus/alerts.yml")]);
    expect(output).toContain(`SUCCESS: ${rules.length} rules found`);
    expect(status, output).toBe(0);
  });

  it("passes its alert unit tests (promtool test rules), which fire and stay quiet for every alert", () => {
    const { status, output } = promtool(["test", "rules", pathOf("prometheus/alerts.test.yml")]);
    expect(output).toContain("SUCCESS");
    expect(status, output).toBe(0);

    const cases = (parse(read("prometheus/alerts.test.yml")) as { tests: AlertTest[] }).tests.flatMap((test) => test.alert_rule_test);
    for (const { alert } of rules) {
      const outcomes = cases.filter((c) => c.alertname === alert).map((c) => c.exp_alerts.length > 0);
      expect(outcomes, `${alert} fires in some case`).toContain(true);
      expect(outcomes, `${alert} stays quiet in some case`).toContain(false);
    }
  });

  it("has the alerts the issue asks for, each with a duration, a severity and a summary", () => {
    expect(rules.map((rule) => rule.alert)).toEqual(
      expect.arrayContaining([
        "SecapiCacheHitRateLow",
        "SecapiHttp5xxRatioHigh",
        "SecapiHttpLatencyP95High",
        "SecapiQueueBacklogGrowing",
        "SecapiQueueRedisDown",
        "SecapiCacheRedisDown",
        "SecapiPostgresDown",
        "SecapiScanFailureRatioHigh",
      ]),
    );
    for (const rule of rules) {
      expect(rule.for, rule.alert).toMatch(/^\d+m$/);
      expect(["critical", "warning"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      expect(rule.annotations?.description, rule.alert).toBeTruthy();
    }
  });

  it("watches every queue, result-reruns included: no queue panel or alert is limited to named queues", () => {
    const queueExprs = [...dashboardExprs, ...rules.map((rule) => rule.expr)].filter((expr) => expr.includes("secapi_queue_jobs"));
    expect(queueExprs.length).toBeGreaterThan(0);
    for (const expr of queueExprs) expect(expr, expr).not.toMatch(/queue\s*(=|!=|=~|!~)/);
    const backlog = (parse(read("prometheus/alerts.test.yml")) as { tests: AlertTest[] }).tests
      .flatMap((test) => test.alert_rule_test)
      .filter((c) => c.alertname === "SecapiQueueBacklogGrowing")
      .flatMap((c) => c.exp_alerts.map((a) => a.exp_labels?.queue));
    expect(backlog).toContain(RESULT_RERUNS_QUEUE);
  });

  it("alerts only on metrics SecAPI or the exporters expose, and on jobs prometheus.yml scrapes", async () => {
    const known = new Set([...(await secapiSeriesNames()), ...EXPORTER_METRICS]);
    for (const rule of rules) {
      expect(metricNames(rule.expr).length, rule.alert).toBeGreaterThan(0);
      for (const name of metricNames(rule.expr)) expect(known, `${rule.alert}: ${name}`).toContain(name);
      for (const job of jobsSelected(rule.expr)) expect(scrapeJobs, `${rule.alert}: job ${job}`).toContain(job);
    }
  });

  it("scrapes the apps on their documented ports and the exporters compose runs", () => {
    const ports = Object.fromEntries(
      prometheusConfig.scrape_configs.flatMap((config) => (config.dns_sd_configs ?? []).map((sd) => [config.job_name, sd.port])),
    );
    expect(ports).toEqual({ api: 8000, "scan-worker": 9101, "cache-worker": 9102 });
    const targets = prometheusConfig.scrape_configs.flatMap((config) => (config.static_configs ?? []).flatMap((s) => s.targets));
    for (const target of targets.filter((t) => !t.startsWith("localhost:"))) {
      expect(Object.keys(compose.services), target).toContain(target.split(":")[0]);
    }
    expect(compose.services.prometheus?.volumes).toContain("./prometheus:/etc/prometheus:ro");
  });

  it("keeps the metric name extractor honest", () => {
    expect(metricNames('histogram_quantile(0.95, sum by (le) (rate(a_bucket{route!="x",le=~"0.1"}[5m]))) > 1e-3')).toEqual(["a_bucket"]);
    expect(metricNames("deriv(sum by (queue) (max by (queue, state) (b))[10m:1m]) > 0 and c offset 5m or absent(up)")).toEqual([
      "b",
      "c",
      "up",
    ]);
    expect(jobsSelected('up{job=~"api|scan-worker"} or redis_up{job="redis-cache"}')).toEqual(["api", "scan-worker", "redis-cache"]);
  });
});

describe("a real scrape of @secapi/metrics", () => {
  it("passes promtool check metrics; the only findings are on prom-client's own default metric names", async () => {
    const metrics = createMetrics({ service: "api" });
    exercise(metrics);
    const { status, output } = promtool(["check", "metrics"], await metrics.registry.metrics());
    expect(output).not.toMatch(/error/i);
    // 0: clean; 3: lint findings (an unparsable scrape exits 1).
    expect([0, 3], output).toContain(status);
    const findings = output.split("\n").filter(Boolean);
    for (const finding of findings) expect(PROM_CLIENT_GAUGES_NAMED_TOTAL, finding).toContain(finding.split(" ")[0]);
  });

  it("answers the seed's hit-rate and p95 queries with the numbers the traffic implies", async () => {
    // Two processes, as in production: every series carries `service`, and the seed queries sum over it.
    const api = createMetrics({ service: "api", defaultMetrics: false });
    const worker = createMetrics({ service: "cache-worker", defaultMetrics: false });

    /** 30 hits and 10 misses; 100 requests, 90 within 25 ms and 10 between 100 and 150 ms. */
    const traffic = () => {
      const apiCache = api.cacheHooks();
      const workerCache = worker.cacheHooks();
      for (let i = 0; i < 20; i++) apiCache.onHit("result", i % 2 === 0 ? "l1" : "l2");
      for (let i = 0; i < 5; i++) apiCache.onMiss("result");
      for (let i = 0; i < 5; i++) workerCache.onHit("scan", "l2");
      for (let i = 0; i < 5; i++) workerCache.onStaleHit("scan");
      for (let i = 0; i < 5; i++) workerCache.onMiss("scan");
      for (let i = 0; i < 60; i++) api.httpRequestDuration.observe({ method: "GET", route: "/api/v1/scans/:id", status_code: "200" }, 0.02);
      for (let i = 0; i < 30; i++) api.httpRequestDuration.observe({ method: "POST", route: "/api/v1/scans", status_code: "202" }, 0.02);
      for (let i = 0; i < 10; i++) api.httpRequestDuration.observe({ method: "POST", route: "/api/v1/scans", status_code: "202" }, 0.12);
    };
    const scrape = async () => {
      const text = (await api.registry.metrics()) + (await worker.registry.metrics());
      return scrapeSeries(text, (name) => name.startsWith("secapi_"));
    };
    traffic();
    const atStart = await scrape();
    traffic();
    const fiveMinutesLater = await scrape();

    // 95th of 100 requests: the 90 fast ones fill every bucket up to 0.1; the 10 slow ones sit in (0.1, 0.15].
    // Linear interpolation inside that bucket: 0.1 + (0.15 - 0.1) * (95 - 90) / (100 - 90) = 0.125.
    expect(HTTP_DURATION_BUCKETS).toEqual(expect.arrayContaining([0.025, 0.1, 0.15]));
    expect(HTTP_DURATION_BUCKETS.filter((le) => le > 0.1 && le < 0.15)).toEqual([]);
    const seedQueries = [
      {
        expr: "sum(rate(secapi_cache_hits_total[5m])) / (sum(rate(secapi_cache_hits_total[5m])) + sum(rate(secapi_cache_misses_total[5m])))",
        value: 0.75,
      },
      { expr: "histogram_quantile(0.95, sum by (le) (rate(secapi_http_request_duration_seconds_bucket[5m])))", value: 0.125 },
    ];

    const testFile = (expected: { expr: string; value: number }[]) =>
      stringify({
        tests: [
          {
            interval: "5m",
            input_series: [...fiveMinutesLater].map(([series, value]) => ({ series, values: `${atStart.get(series) ?? "_"} ${value}` })),
            promql_expr_test: expected.map(({ expr, value }) => ({ expr, eval_time: "5m", exp_samples: [{ labels: "{}", value }] })),
          },
        ],
      });
    expect([...fiveMinutesLater.keys()].filter((series) => series.startsWith("secapi_cache_hits_total"))).toHaveLength(2);

    const passing = withTempFiles({ "seed.test.yml": testFile(seedQueries) }, (dir) =>
      promtool(["test", "rules", join(dir, "seed.test.yml")]),
    );
    expect(passing.output).toContain("SUCCESS");
    expect(passing.status, passing.output).toBe(0);

    // The same check with a wrong expectation fails, so the one above did compare the numbers.
    const wrong = seedQueries.map((query) => ({ ...query, value: query.value + 0.01 }));
    const failing = withTempFiles({ "seed.test.yml": testFile(wrong) }, (dir) => promtool(["test", "rules", join(dir, "seed.test.yml")]));
    expect(failing.status).not.toBe(0);
    expect(failing.output).toContain("got: {} 7.5E-01");
    expect(failing.output).toContain("got: {} 1.25E-01");
  });
});

describe("infra/grafana", () => {
  it("provisions the Prometheus datasource and the dashboards directory compose mounts", () => {
    const datasources = parse(read("grafana/provisioning/datasources/prometheus.yml")) as { datasources: { uid: string; url: string }[] };
    expect(datasources.datasources).toEqual([expect.objectContaining({ uid: "prometheus", url: "http://prometheus:9090" })]);
    const providers = parse(read("grafana/provisioning/dashboards/dashboards.yml")) as { providers: { options: { path: string } }[] };
    const volumes = compose.services.grafana?.volumes ?? [];
    expect(volumes).toContain("./grafana/provisioning:/etc/grafana/provisioning:ro");
    expect(volumes).toContain(`./grafana/dashboards:${providers.providers[0]?.options.path}:ro`);
  });

  it("is a well-formed dashboard: uid, title, recent schema, unique panel ids, on the provisioned datasource", () => {
    expect(dashboard.uid).toBe("secapi-overview");
    expect(dashboard.title).toBeTruthy();
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of queryPanels) {
      expect(panel.datasource?.uid, panel.title).toBe("prometheus");
      expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      const refIds = (panel.targets ?? []).map((target) => target.refId);
      expect(new Set(refIds).size, panel.title).toBe(refIds.length);
    }
  });

  it("has a panel for every view the issue asks for", () => {
    const views: Record<string, RegExp[]> = {
      "hit rate": [/secapi_cache_hits_total.*secapi_cache_misses_total/],
      "latency p50/p95/p99 by route": [0.5, 0.95, 0.99].map(
        (q) => new RegExp(`histogram_quantile\\(${q}, sum by \\(le, route\\) \\(rate\\(secapi_http_request_duration_seconds_bucket`),
      ),
      "requests and 429s by tier": [
        /sum by \(tier\) \(rate\(secapi_scan_requests_total/,
        /sum by \(tier\) \(rate\(secapi_rate_limit_exceeded_total/,
      ],
      "queue depth by state": [/by \(queue, state\) \(secapi_queue_jobs\)/],
      "scan duration by type": [/by \(le, scan_type\) \(rate\(secapi_scan_duration_seconds_bucket/],
      "cache ops latency": [/by \(le, operation\) \(rate\(secapi_cache_operation_duration_seconds_bucket/],
      "invalidations by reason": [/sum by \(reason\) \(rate\(secapi_cache_invalidations_total/],
    };
    for (const [view, patterns] of Object.entries(views)) {
      const panel = queryPanels.find((p) => patterns.every((pattern) => (p.targets ?? []).some((t) => pattern.test(t.expr))));
      expect(panel, view).toBeDefined();
    }
  });

  it("queries only metrics SecAPI or the exporters expose, in PromQL that Prometheus parses", async () => {
    const known = new Set([...(await secapiSeriesNames()), ...EXPORTER_METRICS]);
    for (const expr of dashboardExprs) {
      expect(metricNames(expr).length, expr).toBeGreaterThan(0);
      for (const name of metricNames(expr)) expect(known, `${name} in ${expr}`).toContain(name);
    }
    // promtool parses every expression as a recording rule; Grafana's interval variables become a fixed range.
    const asRules = stringify({
      groups: [
        {
          name: "dashboard",
          rules: dashboardExprs.map((expr, i) => ({ record: `dashboard:expr_${i}`, expr: expr.replace(/\$__\w+/g, "5m") })),
        },
      ],
    });
    const { status, output } = withTempFiles({ "dashboard.rules.yml": asRules }, (dir) =>
      promtool(["check", "rules", join(dir, "dashboard.rules.yml")]),
    );
    expect(output).toContain(`SUCCESS: ${dashboardExprs.length} rules found`);
    expect(status, output).toBe(0);
  });
});
