import { Cache, HotKeyTracker } from "@secapi/cache";
import type { Config } from "@secapi/config";
import { AdvisoryRevisions, CacheKeys, monthUsageFromPostgres } from "@secapi/core";
import type { Db, PgListener } from "@secapi/db";
import { type OutboxRelay, QUEUES, type QueueName } from "@secapi/events";
import { RateLimiter } from "@secapi/limiter";
import type { SecapiMetrics } from "@secapi/metrics";
import { HealthProbe } from "@secapi/runtime";
import type { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import type { ApiContext } from "./context.js";
import { QuotaNotifier } from "./limits/quota-notifier.js";
import { createCachedScanRecorder } from "./scans/cached-scan-recorder.js";
import { CachedSubmissions } from "./scans/cached-submissions.js";
import { ScanWaiter } from "./scans/scan-waiter.js";
import { BodyThreads } from "./threads/body-threads.js";

/** What the caller (main.ts, a test) connects and owns: the context is composed from these. */
export interface ApiConnections {
  config: Config;
  logger: Logger;
  db: Db;
  /** The queue Redis (noeviction): queues, quota notices. */
  queueRedis: Redis | Cluster;
  /** The cache Redis (allkeys-lru), a single server or a Cluster. */
  cacheRedis: Redis | Cluster;
  /** A queue-Redis client of the limiter's own, which must not resend commands after a reconnect. */
  limiterRedis: Redis | Cluster;
  queues: Record<QueueName, Queue>;
  relay: OutboxRelay;
  /** The process's one LISTEN connection (long polls, advisory revisions); started and closed by the caller. */
  listener: PgListener;
  metrics: SecapiMetrics;
}

export interface ApiComposition {
  /**
   * The namespace of every key the API writes: cache entries under it, limiter counters under `<prefix>:rl`,
   * quota notices under `<prefix>:notify`, read counts at `<prefix>:hot-keys` (where the cache-worker reads them).
   */
  prefix: string;
  /**
   * The cache's Redis timeout (its own default, 50 ms, otherwise). Tests that are not about that timeout
   * give a generous one, so that a loaded machine where Redis answers late does not turn an expected HIT
   * into a BYPASS.
   */
  cacheTimeoutMs?: number;
  /** The limiter's Redis timeout (its own default otherwise). */
  limiterTimeoutMs?: number;
  /** How long `/health` waits for each dependency (its own default otherwise). */
  healthTimeoutMs?: number;
  /** How long `/ready` waits for Postgres and the queue Redis (the route's own default otherwise). */
  readyTimeoutMs?: number;
  /** How long a `?wait` poll sleeps at most before it re-reads the scan anyway (the waiter's default otherwise). */
  waitRecheckMs?: number;
}

/**
 * The API's context from its connections: the cache, the limiter and everything else the routes use, built
 * the same way for the process (main.ts) and for the tests that drive the server in process.
 */
export function composeApiContext(connections: ApiConnections, composition: ApiComposition): ApiContext {
  const { config, logger, db, queueRedis, cacheRedis, limiterRedis, queues, relay, listener, metrics } = connections;
  const { prefix } = composition;
  const cache = new Cache({
    redis: cacheRedis,
    prefix,
    timeoutMs: composition.cacheTimeoutMs,
    enabled: config.cacheEnabled,
    hooks: metrics.cacheHooks(),
    logger,
  });
  const keys = new CacheKeys(prefix);
  const kickRelay = () => relay.kick();
  return {
    config,
    db,
    logger,
    kickRelay,
    cachedSubmissions: new CachedSubmissions({ db, cache, keys, recorder: createCachedScanRecorder({ db, logger, cache, kickRelay }) }),
    scanWaiter: new ScanWaiter(listener, composition.waitRecheckMs),
    bodyThreads: new BodyThreads(),
    advisoryRevisions: new AdvisoryRevisions({ listener, logger }),
    health: new HealthProbe({ db, redis: { redis_queue: queueRedis, redis_cache: cacheRedis } }, composition.healthTimeoutMs),
    readyTimeoutMs: composition.readyTimeoutMs,
    cache,
    keys,
    cacheRedis,
    // Counters live on the queue Redis (noeviction): they must never be evicted like cache entries.
    limiter: new RateLimiter({
      redis: limiterRedis,
      prefix: `${prefix}:rl`,
      failMode: config.rateLimitFailMode,
      timeoutMs: composition.limiterTimeoutMs,
      // Denials are counted where their tier and endpoint are known (the middleware); errors here.
      hooks: { onError: metrics.limiterHooks(() => ({ tier: "", endpoint: "" })).onError },
      monthUsage: monthUsageFromPostgres(db),
    }),
    notifier: new QuotaNotifier({ redis: queueRedis, webhooks: queues[QUEUES.webhooks], logger, prefix: `${prefix}:notify` }),
    queues,
    hotKeys: new HotKeyTracker({ redis: cacheRedis, setKey: `${prefix}:hot-keys` }),
    metrics,
  };
}
