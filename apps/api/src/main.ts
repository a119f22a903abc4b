import { loadConfigOrExit } from "@secapi/config";
import { createLogger, createRedisClient, onShutdownSignal } from "@secapi/core";
import { createDb, createPool, deleteExpiredIdempotencyKeys } from "@secapi/db";
import { OutboxRelay, closeQueues, createQueues } from "@secapi/events";
import { HealthProbe } from "./health/health-probe.js";
import { ScanWaiter } from "./scans/scan-waiter.js";
import { IDEMPOTENCY_TTL_SECONDS } from "./scans/submit-scan.js";
import { createServer } from "./server.js";

const config = loadConfigOrExit();
const logger = createLogger({ service: "api", level: config.logLevel });
if (config.scanInputKeyIsDevelopmentDefault) {
  logger.warn({}, "SCAN_INPUT_KEY is not set: using the development key (set it in production)");
}

const db = createDb(
  createPool({
    connectionString: config.databaseUrl,
    max: config.db.poolMax,
    connectionTimeoutMs: config.db.connectionTimeoutMs,
    statementTimeoutMs: config.db.statementTimeoutMs,
    idleTimeoutMs: config.db.idleTimeoutMs,
    applicationName: "secapi-api",
    onError: (error) => logger.warn({ err: error }, "idle Postgres client error"),
  }),
);
// Producer commands fail fast while Redis is away (the outbox keeps the messages) instead of piling up.
const queueRedis = createRedisClient(config.redisUrl, logger, "queue", { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
const cacheRedis = createRedisClient(config.redisCacheUrl, logger, "cache", { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
const queues = createQueues({ connection: queueRedis, prefix: config.queuePrefix, scanAttempts: config.scanWorker.attempts });
const relay = new OutboxRelay({ db, queues, logger });
const scanWaiter = new ScanWaiter(config.databaseUrl, logger);

await scanWaiter.start();
relay.start();
// Expired keys are ignored on lookup; this only keeps the table from growing.
const idempotencySweep = setInterval(() => {
  deleteExpiredIdempotencyKeys(db, IDEMPOTENCY_TTL_SECONDS).catch((error: unknown) =>
    logger.warn({ err: error }, "could not delete expired idempotency keys"),
  );
}, 600_000);
idempotencySweep.unref();

const app = createServer({
  config,
  db,
  logger,
  kickRelay: () => relay.kick(),
  scanWaiter,
  health: new HealthProbe({ db, queueRedis, cacheRedis }),
});
const server = app.listen(config.port, () => logger.info({ port: config.port }, "api listening"));

onShutdownSignal(logger, config.shutdownTimeoutMs, async () => {
  clearInterval(idempotencySweep);
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Long polls answer now with the scan's current state instead of holding the shutdown.
  await scanWaiter.close();
  server.closeIdleConnections();
  await closed;
  await relay.stop();
  await closeQueues(queues);
  queueRedis.disconnect();
  cacheRedis.disconnect();
  await db.destroy();
});
