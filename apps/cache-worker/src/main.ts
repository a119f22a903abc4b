import { Cache, HotKeyTracker } from "@secapi/cache";
import { loadConfigOrExit } from "@secapi/config";
import { CACHE_PREFIX, CacheKeys, cacheEntryTtlSeconds } from "@secapi/core";
import { CACHE_WARM_QUEUE, QUEUES, defaultJobOptions } from "@secapi/events";
import { createMetrics } from "@secapi/metrics";
import { HealthProbe, createAppDb, createLogger, createRedisClient, serveWorkerProcess } from "@secapi/runtime";
import { Queue, Worker } from "bullmq";
import type { CacheWorkerContext } from "./context.js";
import { startAdvisorySyncSchedule } from "./advisory-sync-schedule.js";
import { createEventProcessor } from "./event-processor.js";
import { warmHotKeys } from "./warm.js";
import { RERUN_QUEUE, createRerunProcessor, createRerunQueue } from "./watched-reruns.js";

const WARM_EVERY_MS = 60_000;

const config = loadConfigOrExit();
const logger = createLogger({ service: "cache-worker", level: config.logLevel, format: config.logFormat });
const metrics = createMetrics({ service: "cache-worker" });

const db = createAppDb(config, "cache-worker", logger);
const cacheRedis = createRedisClient(config.redisCacheUrl, logger, "cache", { maxRetriesPerRequest: 1 });
const workerRedis = createRedisClient(config.redisUrl, logger, "queue-worker", { maxRetriesPerRequest: null });
const cache = new Cache({
  redis: cacheRedis,
  prefix: CACHE_PREFIX,
  enabled: config.cacheEnabled,
  timeoutMs: config.cacheRedisTimeoutMs,
  hooks: metrics.cacheHooks(),
  logger,
});
await cache.start();

const webhooksQueue = new Queue(QUEUES.webhooks, {
  connection: workerRedis.duplicate(),
  prefix: config.queuePrefix(QUEUES.webhooks),
  defaultJobOptions: defaultJobOptions(QUEUES.webhooks),
});
webhooksQueue.on("error", () => undefined);
const rerunQueue = createRerunQueue(workerRedis.duplicate(), config.queuePrefix(RERUN_QUEUE));

const ctx: CacheWorkerContext = {
  db,
  cache,
  keys: new CacheKeys(CACHE_PREFIX),
  hotKeys: new HotKeyTracker({ redis: cacheRedis }),
  logger,
  scanInputKey: config.scanInputKey,
  entryTtlSeconds: cacheEntryTtlSeconds(config.tiers),
  rerunLimit: 20,
  webhooks: webhooksQueue,
  reruns: rerunQueue,
  rerunChunkSize: 50,
};

const eventsWorker = new Worker(
  QUEUES.events,
  createEventProcessor(ctx, {
    onProcessed: (type, outcome) => metrics.eventsProcessed.inc({ type, outcome }),
  }),
  { connection: workerRedis, prefix: config.queuePrefix(QUEUES.events), concurrency: 8 },
);
eventsWorker.on("failed", (job, error) => logger.warn({ jobId: job?.id, event: job?.name, err: error }, "event processing failed"));
eventsWorker.on("error", (error) => logger.warn({ err: error }, "events worker error"));

const rerunWorker = new Worker(RERUN_QUEUE, createRerunProcessor(ctx), {
  connection: workerRedis.duplicate(),
  prefix: config.queuePrefix(RERUN_QUEUE),
  concurrency: 2,
});
rerunWorker.on("failed", (job, error) => logger.warn({ jobId: job?.id, err: error }, "result re-run chunk failed"));
rerunWorker.on("error", (error) => logger.warn({ err: error }, "re-run worker error"));

// Warming on a BullMQ job scheduler: one run per interval however many cache-workers there are.
const warmQueue = new Queue(CACHE_WARM_QUEUE, { connection: workerRedis.duplicate(), prefix: config.queuePrefix(CACHE_WARM_QUEUE) });
warmQueue.on("error", () => undefined);
const warmWorker = new Worker(
  CACHE_WARM_QUEUE,
  async () => {
    await ctx.hotKeys.decay();
    return warmHotKeys(ctx);
  },
  { connection: workerRedis.duplicate(), prefix: config.queuePrefix(CACHE_WARM_QUEUE), concurrency: 1 },
);
warmWorker.on("error", (error) => logger.warn({ err: error }, "warm worker error"));
await warmQueue
  .upsertJobScheduler("cache-warm", { every: WARM_EVERY_MS }, { name: "warm", opts: { removeOnComplete: 10, removeOnFail: 50 } })
  .catch((error: unknown) => logger.warn({ err: error }, "could not schedule warming (queue Redis down?)"));
warmHotKeys(ctx).then(
  (result) => logger.info(result, "warmed hot keys on start"),
  (error: unknown) => logger.warn({ err: error }, "warming on start failed"),
);

const advisorySync = await startAdvisorySyncSchedule({ config, db, logger, connection: workerRedis });

metrics.trackQueues([
  new Queue(QUEUES.events, { connection: workerRedis.duplicate(), prefix: config.queuePrefix(QUEUES.events) }),
  rerunQueue,
  warmQueue,
  advisorySync.queue,
]);
await serveWorkerProcess({
  service: "cache-worker",
  port: config.cacheWorkerPort,
  logger,
  health: new HealthProbe({ db, redis: { redis_cache: cacheRedis, redis_queue: workerRedis } }),
  alive: () => eventsWorker.isRunning() && rerunWorker.isRunning() && warmWorker.isRunning(),
  metrics: metrics.metricsHandler(config.metricsToken),
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  drain: async () => {
    await Promise.all([eventsWorker.close(), rerunWorker.close(), warmWorker.close(), advisorySync.close()]);
    await Promise.all([warmQueue.close(), rerunQueue.close(), webhooksQueue.close()]);
    await cache.close();
    cacheRedis.disconnect();
    workerRedis.disconnect();
    await db.destroy();
  },
});
