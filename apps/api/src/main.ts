import { loadConfigOrExit } from "@secapi/config";
import { CACHE_PREFIX } from "@secapi/core";
import { PgListener, deleteExpiredIdempotencyKeys, deleteOrphanedImageUploads } from "@secapi/db";
import { OutboxRelay, closeQueues, createQueues } from "@secapi/events";
import { createMetrics } from "@secapi/metrics";
import { createAppDb, createLogger, createRedisClient, onShutdownSignal } from "@secapi/runtime";
import { IDEMPOTENCY_TTL_SECONDS } from "./scans/submit-scan.js";
import { ORPHANED_UPLOAD_SECONDS } from "./scans/prepare-archive-submission.js";
import { serveExpressApp } from "./http/express-host.js";
import { createServer } from "./server.js";
import { composeApiContext } from "./compose-context.js";

const config = loadConfigOrExit();
const logger = createLogger({ service: "api", level: config.logLevel, format: config.logFormat });
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
const listener = new PgListener({ connectionString: config.databaseUrl, logger, applicationName: "secapi-api-listener" });
const ctx = composeApiContext(
  { config, logger, db, queueRedis, cacheRedis, limiterRedis, queues, relay, listener, metrics },
  // The limiter's timeout (RATE_LIMIT_REDIS_TIMEOUT_MS, 250 ms) is long enough that a burst keeping this event
  // loop busy is not taken for a limiter Redis outage (which would fall back to per-process counting); an
  // outage still costs only the first few requests, as the breaker then opens.
  { prefix: CACHE_PREFIX, limiterTimeoutMs: config.rateLimitRedisTimeoutMs, cacheTimeoutMs: config.cacheRedisTimeoutMs },
);
const { cache, limiter, hotKeys, scanWaiter, advisoryRevisions, bodyThreads } = ctx;

await Promise.all([listener.start(), cache.start()]);
await advisoryRevisions.start();
relay.start();
metrics.trackQueues(Object.values(queues));
// Expired keys are ignored on lookup; this only keeps the table from growing. Image uploads that no run read
// (a process died between storing and submitting, or a run failed for good) would otherwise stay forever.
const idempotencySweep = setInterval(() => {
  deleteExpiredIdempotencyKeys(db, IDEMPOTENCY_TTL_SECONDS).catch((error: unknown) =>
    logger.warn({ err: error }, "could not delete expired idempotency keys"),
  );
  deleteOrphanedImageUploads(db, ORPHANED_UPLOAD_SECONDS).catch((error: unknown) =>
    logger.warn({ err: error }, "could not delete orphaned image uploads"),
  );
}, 600_000);
idempotencySweep.unref();

const app = createServer(ctx);
const server = serveExpressApp(app).listen(config.port, () => logger.info({ port: config.port }, "api listening"));

onShutdownSignal(logger, config.shutdownTimeoutMs, async () => {
  clearInterval(idempotencySweep);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Long polls answer now with the scan's current state instead of holding the shutdown.
  scanWaiter.close();
  server.closeIdleConnections();
  await closed;
  await bodyThreads.close();
  await relay.stop();
  await closeQueues(queues);
  limiter.close();
  await hotKeys.close();
  advisoryRevisions.close();
  await listener.close();
  await cache.close();
  queueRedis.disconnect();
  cacheRedis.disconnect();
  limiterRedis.disconnect();
  await db.destroy();
});
