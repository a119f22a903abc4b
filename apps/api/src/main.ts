import { Cache } from "@secapi/cache";
import { loadConfigOrExit } from "@secapi/config";
import {
  CACHE_PREFIX,
  CacheKeys,
  HealthProbe,
  HotKeyTracker,
  createAppDb,
  createLogger,
  createRedisClient,
  monthUsageFromPostgres,
  onShutdownSignal,
} from "@secapi/core";
import { deleteExpiredIdempotencyKeys } from "@secapi/db";
import { OutboxRelay, QUEUES, closeQueues, createQueues } from "@secapi/events";
import { RateLimiter } from "@secapi/limiter";
import { createMetrics } from "@secapi/metrics";
import { QuotaNotifier } from "./limits/quota-notifier.js";
import { createCachedScanRecorder } from "./scans/cached-scan-recorder.js";
import { CachedSubmissions } from "./scans/cached-submissions.js";
import { ScanWaiter } from "./scans/scan-waiter.js";
import { IDEMPOTENCY_TTL_SECONDS } from "./scans/submit-scan.js";
import { serveExpressApp } from "./http/express-host.js";
import { createServer } from "./server.js";

const LIMITER_TIMEOUT_MS = 250;

const config = loadConfigOrExit();
const logger = createLogger({ service: "api", level: config.logLevel });
if (config.scanInputKeyIsDevelopmentDefault) {
  logger.warn({}, "SCAN_INPUT_KEY is not set: using the development key (set it in production)");
}
const metrics = createMetrics({ service: "api" });

const db = createAppDb(config, "api", logger);
// Commands fail fast while a Redis is away (callers degrade) instead of piling up; concurrent requests'
// commands share round trips.
const fastFail = { enableOfflineQueue: false, maxRetriesPerRequest: 1, enableAutoPipelining: true };
const queueRedis = createRedisClient(config.redisUrl, logger, "queue", fastFail);
const cacheRedis = createRedisClient(config.redisCacheUrl, logger, "cache", fastFail);
// A command the limiter gave up on must never be re-sent after a reconnect: it would count twice.
const limiterRedis = createRedisClient(config.redisUrl, logger, "limiter", { ...fastFail, autoResendUnfulfilledCommands: false });
const queues = createQueues({ connection: queueRedis, prefix: config.queuePrefix, scanAttempts: config.scanWorker.attempts });
const relay = new OutboxRelay({ db, queues, logger });
const scanWaiter = new ScanWaiter(config.databaseUrl, logger);
const cache = new Cache({ redis: cacheRedis, prefix: CACHE_PREFIX, enabled: config.cacheEnabled, hooks: metrics.cacheHooks(), logger });
// Limiter counters live on the queue Redis (noeviction): they must never be evicted like cache entries.
const limiter = new RateLimiter({
  redis: limiterRedis,
  failMode: config.rateLimitFailMode,
  // Long enough that a burst keeping this event loop busy is not taken for a Redis outage (which would
  // fall back to per-process counting); an outage still costs only the first few requests, as the
  // breaker then opens.
  timeoutMs: LIMITER_TIMEOUT_MS,
  // Denials are counted where their tier and endpoint are known (the middleware); errors here.
  hooks: { onError: metrics.limiterHooks(() => ({ tier: "", endpoint: "" })).onError },
  monthUsage: monthUsageFromPostgres(db),
});

await Promise.all([scanWaiter.start(), cache.start()]);
relay.start();
metrics.trackQueues(Object.values(queues));
// Expired keys are ignored on lookup; this only keeps the table from growing.
const idempotencySweep = setInterval(() => {
  deleteExpiredIdempotencyKeys(db, IDEMPOTENCY_TTL_SECONDS).catch((error: unknown) =>
    logger.warn({ err: error }, "could not delete expired idempotency keys"),
  );
}, 600_000);
idempotencySweep.unref();

const keys = new CacheKeys(CACHE_PREFIX);
const hotKeys = new HotKeyTracker({ redis: cacheRedis });
const app = createServer({
  config,
  db,
  logger,
  kickRelay: () => relay.kick(),
  cachedSubmissions: new CachedSubmissions({ db, cache, keys, recorder: createCachedScanRecorder({ db, logger, cache, kickRelay: () => relay.kick() }) }),
  scanWaiter,
  health: new HealthProbe({ db, redis: { redis_queue: queueRedis, redis_cache: cacheRedis } }),
  cache,
  keys,
  cacheRedis,
  limiter,
  notifier: new QuotaNotifier({ redis: queueRedis, webhooks: queues[QUEUES.webhooks], logger }),
  hotKeys,
  metrics,
});
const server = serveExpressApp(app).listen(config.port, () => logger.info({ port: config.port }, "api listening"));

onShutdownSignal(logger, config.shutdownTimeoutMs, async () => {
  clearInterval(idempotencySweep);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Long polls answer now with the scan's current state instead of holding the shutdown.
  await scanWaiter.close();
  server.closeIdleConnections();
  await closed;
  await relay.stop();
  await closeQueues(queues);
  limiter.close();
  await hotKeys.close();
  await cache.close();
  queueRedis.disconnect();
  cacheRedis.disconnect();
  limiterRedis.disconnect();
  await db.destroy();
});
