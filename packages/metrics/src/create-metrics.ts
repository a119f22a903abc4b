import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { CACHE_OPERATION_BUCKETS, HTTP_DURATION_BUCKETS, SCAN_DURATION_BUCKETS } from "./buckets.js";
import { type CacheMetricsHooks, createCacheHooks } from "./cache-hooks.js";
import { createHttpMiddleware } from "./http-middleware.js";
import { type LimiterLabels, type LimiterMetricsHooks, createLimiterHooks } from "./limiter-hooks.js";
import { createMetricsHandler } from "./metrics-handler.js";
import { DEFAULT_QUEUE_COUNT_TIMEOUT_MS, type JobCountsSource, QueueJobsTracker } from "./queue-jobs.js";

export interface MetricsOptions {
  /** Name of the process (`api`, `scan-worker`, `cache-worker`); every series carries it as the `service` label. */
  service: string;
  /** Node.js process metrics (CPU, memory, event loop, GC). Default true. */
  defaultMetrics?: boolean;
  /** How long a scrape waits for BullMQ's job counts before reporting the last known ones. Default 1000 ms. */
  queueCountTimeoutMs?: number;
}

/** One process's metrics: the registry and every SecAPI series of docs/OPERATIONS.md "Metrics". */
export interface SecapiMetrics {
  /** A registry of this instance's own: nothing is shared with another `createMetrics()` or prom-client's global one. */
  readonly registry: Registry;
  readonly scanRequests: Counter<"scan_type" | "status" | "tier">;
  readonly scanDuration: Histogram<"scan_type">;
  readonly cacheHits: Counter<"key_type">;
  readonly cacheMisses: Counter<"key_type">;
  /** Entries written, for `GET /api/v1/cache/stats`-style sets per key type. */
  readonly cacheSets: Counter<"key_type">;
  readonly cacheErrors: Counter<"operation">;
  readonly cacheOperationDuration: Histogram<"operation">;
  readonly rateLimitExceeded: Counter<"tier" | "endpoint">;
  /** Limiter Redis failures, when the fail mode decided instead of the counters. */
  readonly rateLimitErrors: Counter<"operation">;
  readonly httpRequestDuration: Histogram<"method" | "route" | "status_code">;
  readonly queueJobs: Gauge<"queue" | "state">;
  readonly eventsProcessed: Counter<"type" | "outcome">;
  readonly cacheInvalidations: Counter<"reason">;
  /** Hooks for `@secapi/cache`. */
  cacheHooks(): CacheMetricsHooks;
  /** Hooks for `@secapi/limiter`; `labels` maps a check to its `{tier, endpoint}`. */
  limiterHooks<C extends { subject: string }>(labels: LimiterLabels<C>): LimiterMetricsHooks<C>;
  /** Express middleware timing every request by route template; mount it before anything else. */
  httpMiddleware(): RequestHandler;
  /** Reports these BullMQ queues' job counts by state at every scrape. */
  trackQueues(queues: Iterable<JobCountsSource>): void;
  /** The `/metrics` handler (express or `node:http`); a `token` requires `Authorization: Bearer <token>`. */
  metricsHandler(token?: string): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

/**
 * Creates the metrics of one process on a fresh registry. Call it once per process (the default process
 * metrics start an event-loop monitor and a GC observer); tests may call it freely.
 *
 * @example
 * const metrics = createMetrics({ service: "api" });
 * app.use(metrics.httpMiddleware());
 * app.get("/metrics", metrics.metricsHandler(config.metricsToken));
 */
export function createMetrics(options: MetricsOptions): SecapiMetrics {
  const registry = new Registry();
  // Every series says which process it came from; sums and ratios over all series are unaffected.
  registry.setDefaultLabels({ service: options.service });
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const scanRequests = new Counter({
    name: "secapi_scan_requests_total",
    help: "Scan requests by scan type, outcome status and caller tier.",
    labelNames: ["scan_type", "status", "tier"] as const,
    registers,
  });
  const scanDuration = new Histogram({
    name: "secapi_scan_duration_seconds",
    help: "Time a scan run took, by scan type.",
    labelNames: ["scan_type"] as const,
    buckets: SCAN_DURATION_BUCKETS,
    registers,
  });
  const cacheHits = new Counter({
    name: "secapi_cache_hits_total",
    help: "Cache lookups answered from the cache (stale-while-revalidate hits included), by key type.",
    labelNames: ["key_type"] as const,
    registers,
  });
  const cacheMisses = new Counter({
    name: "secapi_cache_misses_total",
    help: "Cache lookups that had to load the value, by key type.",
    labelNames: ["key_type"] as const,
    registers,
  });
  const cacheSets = new Counter({
    name: "secapi_cache_sets_total",
    help: "Cache entries written, by key type.",
    labelNames: ["key_type"] as const,
    registers,
  });
  const cacheErrors = new Counter({
    name: "secapi_cache_errors_total",
    help: "Failed cache operations, by operation.",
    labelNames: ["operation"] as const,
    registers,
  });
  const cacheOperationDuration = new Histogram({
    name: "secapi_cache_operation_duration_seconds",
    help: "Time cache operations took, by operation.",
    labelNames: ["operation"] as const,
    buckets: CACHE_OPERATION_BUCKETS,
    registers,
  });
  const rateLimitExceeded = new Counter({
    name: "secapi_rate_limit_exceeded_total",
    help: "Requests denied by a rate limit (429), by tier and endpoint.",
    labelNames: ["tier", "endpoint"] as const,
    registers,
  });
  const rateLimitErrors = new Counter({
    name: "secapi_rate_limit_errors_total",
    help: "Rate-limit checks that failed on Redis and fell back to the fail mode, by operation.",
    labelNames: ["operation"] as const,
    registers,
  });
  const httpRequestDuration = new Histogram({
    name: "secapi_http_request_duration_seconds",
    help: "HTTP request duration by method, route template and status code.",
    labelNames: ["method", "route", "status_code"] as const,
    buckets: HTTP_DURATION_BUCKETS,
    registers,
  });
  const queues = new QueueJobsTracker(options.queueCountTimeoutMs ?? DEFAULT_QUEUE_COUNT_TIMEOUT_MS);
  const queueJobs = new Gauge({
    name: "secapi_queue_jobs",
    help: "BullMQ jobs by queue and state, read at scrape time.",
    labelNames: ["queue", "state"] as const,
    registers,
    collect() {
      return queues.refresh(this);
    },
  });
  const eventsProcessed = new Counter({
    name: "secapi_events_processed_total",
    help: "Events the cache-worker handled, by event type and outcome.",
    labelNames: ["type", "outcome"] as const,
    registers,
  });
  const cacheInvalidations = new Counter({
    name: "secapi_cache_invalidations_total",
    help: "Cache entries invalidated, by reason.",
    labelNames: ["reason"] as const,
    registers,
  });

  return {
    registry,
    scanRequests,
    scanDuration,
    cacheHits,
    cacheMisses,
    cacheSets,
    cacheErrors,
    cacheOperationDuration,
    rateLimitExceeded,
    rateLimitErrors,
    httpRequestDuration,
    queueJobs,
    eventsProcessed,
    cacheInvalidations,
    cacheHooks: () =>
      createCacheHooks({
        hits: cacheHits,
        misses: cacheMisses,
        sets: cacheSets,
        errors: cacheErrors,
        operationDuration: cacheOperationDuration,
        invalidations: cacheInvalidations,
      }),
    limiterHooks: (labels) => createLimiterHooks({ exceeded: rateLimitExceeded, errors: rateLimitErrors }, labels),
    httpMiddleware: () => createHttpMiddleware(httpRequestDuration),
    trackQueues: (sources) => queues.track(sources),
    metricsHandler: (token) => createMetricsHandler(registry, token),
  };
}
