import { loadConfigOrExit } from "@secapi/config";
import { tiersOfUsers } from "@secapi/db";
import { createMetrics } from "@secapi/metrics";
import { OutboxRelay, QUEUES, closeQueues, createQueues } from "@secapi/events";
import { RateLimiter } from "@secapi/limiter";
import { HealthProbe, createAppDb, createLogger, createRedisClient, serveWorkerProcess } from "@secapi/runtime";
import { ScanPool } from "@secapi/scanners";
import { Worker } from "bullmq";
import { CacheKeys } from "@secapi/core";
import { JobWorkDirs } from "./job-work-dirs.js";
import { RedisLayerSummaryStore } from "./redis-layer-summary-store.js";
import { LostRunSweeper } from "./lost-run-sweeper.js";
import { createQuotaRefunder } from "./refund-quota.js";
import { createScanProcessor } from "./scan-processor.js";
import { createWebhookProcessor } from "./webhook-processor.js";
import { WebhookDeliveryRetention } from "./webhook-delivery-retention.js";

const config = loadConfigOrExit();
const logger = createLogger({ service: "scan-worker", level: config.logLevel, format: config.logFormat });
const metrics = createMetrics({ service: "scan-worker" });

const db = createAppDb(config, "scan-worker", logger, { minConnections: config.scanWorker.concurrency + 2 });
// BullMQ workers block on Redis and must retry forever (maxRetriesPerRequest: null).
const workerRedis = createRedisClient(config.redisUrl, logger, "queue-worker", { maxRetriesPerRequest: null });
const producerRedis = createRedisClient(config.redisUrl, logger, "queue-producer", {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
});
const queues = createQueues({ connection: producerRedis, prefix: config.queuePrefix, scanAttempts: config.scanWorker.attempts });
const relay = new OutboxRelay({ db, queues, logger });
const pool = new ScanPool({ threads: config.scanWorker.concurrency });
// Only for refunds: the scan-worker never checks limits. Its own connection, never re-sending a command
// it gave up on (that would refund twice).
const limiterRedis = createRedisClient(config.redisUrl, logger, "limiter", {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  autoResendUnfulfilledCommands: false,
});
// Layer summaries are a cache: they go to the cache Redis, never waited on for long (a miss costs a re-read).
const cacheRedis = createRedisClient(config.redisCacheUrl, logger, "cache", {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 2000,
});
const layerStore = new RedisLayerSummaryStore({ redis: cacheRedis, keys: new CacheKeys() });
// Whatever ends the process (a shutdown that timed out included), no job's staged image stays on disk.
const workDirs = new JobWorkDirs();
process.on("exit", () => workDirs.removeAllSync());
const refund = createQuotaRefunder({ db, limiter: new RateLimiter({ redis: limiterRedis, timeoutMs: 1000 }), tiers: config.tiers, logger });

const worker = new Worker(
  QUEUES.scans,
  createScanProcessor({
    db,
    pool,
    scanInputKey: config.scanInputKey,
    logger,
    image: {
      maxBytes: config.image.maxBytes,
      registries: config.image.registries,
      insecureRegistries: config.image.insecureRegistries,
      layerStore,
      maxBinaryBytes: config.image.maxBinaryBytes,
      proxy: config.proxy,
    },
    workDirs,
    refund,
    onRunFinished: ({ scanType, outcome, seconds, scans }) => {
      metrics.scanDuration.observe({ scan_type: scanType }, seconds);
      tiersOfUsers(
        db,
        scans.map((s) => s.user_id),
      ).then(
        (tiers) => {
          for (const scan of scans)
            metrics.scanRequests.inc({ scan_type: scanType, status: outcome, tier: tiers.get(scan.user_id) ?? "unknown" });
        },
        (error: unknown) => logger.warn({ err: error }, "could not label scan metrics by tier"),
      );
    },
  }),
  {
    connection: workerRedis,
    prefix: config.queuePrefix(QUEUES.scans),
    concurrency: config.scanWorker.concurrency,
    lockDuration: config.scanWorker.lockDurationMs,
    stalledInterval: config.scanWorker.lockDurationMs,
    maxStalledCount: 2,
  },
);
worker.on("completed", () => relay.kick());
worker.on("failed", (job, error) => {
  relay.kick();
  logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, "scan job attempt failed");
});
worker.on("error", (error) => logger.warn({ err: error }, "scan worker error"));
// Quota notifications: light I/O work, so the scan-workers deliver them too.
const webhookWorker = new Worker(QUEUES.webhooks, createWebhookProcessor({ db, logger, allowPrivate: config.webhookAllowPrivate }), {
  connection: workerRedis.duplicate(),
  prefix: config.queuePrefix(QUEUES.webhooks),
  concurrency: 8,
});
webhookWorker.on("failed", (job, error) =>
  logger.warn({ jobId: job?.id, attemptsMade: job?.attemptsMade, err: error }, "webhook delivery attempt failed"),
);
webhookWorker.on("error", (error) => logger.warn({ err: error }, "webhook worker error"));
relay.start();
const sweeper = new LostRunSweeper({
  db,
  scansQueue: queues[QUEUES.scans],
  logger,
  graceMs: 5 * config.scanWorker.lockDurationMs,
  giveUpMs: 3600_000,
  intervalMs: 60_000,
  kickRelay: () => relay.kick(),
  refund,
});
sweeper.start();
const deliveryRetention = new WebhookDeliveryRetention({ db, logger });
deliveryRetention.start();

metrics.trackQueues(Object.values(queues));
await serveWorkerProcess({
  service: "scan-worker",
  port: config.scanWorkerPort,
  logger,
  health: new HealthProbe({ db, redis: { redis_queue: workerRedis } }),
  healthDetails: () => ({ running: worker.isRunning() }),
  alive: () => worker.isRunning() && webhookWorker.isRunning(),
  metrics: metrics.metricsHandler(config.metricsToken),
  shutdownTimeoutMs: config.shutdownTimeoutMs,
  startDetails: { concurrency: config.scanWorker.concurrency },
  drain: async () => {
    // Stop taking jobs and let the running ones finish; the shutdown timeout bounds the wait.
    await Promise.all([sweeper.stop(), deliveryRetention.stop()]);
    await Promise.all([worker.close(), webhookWorker.close()]);
    await pool.close();
    await relay.stop();
    await closeQueues(queues);
    workerRedis.disconnect();
    producerRedis.disconnect();
    limiterRedis.disconnect();
    cacheRedis.disconnect();
    await db.destroy();
  },
});
