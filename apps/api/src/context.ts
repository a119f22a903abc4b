import type { Cache, HotKeyTracker } from "@secapi/cache";
import type { Config } from "@secapi/config";
import type { AdvisoryRevisions, CacheKeys } from "@secapi/core";
import type { Db } from "@secapi/db";
import type { QueueName } from "@secapi/events";
import type { RateLimiter } from "@secapi/limiter";
import type { SecapiMetrics } from "@secapi/metrics";
import type { HealthProbe } from "@secapi/runtime";
import type { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";
import type { QuotaNotifier } from "./limits/quota-notifier.js";
import type { CachedSubmissions } from "./scans/cached-submissions.js";
import type { ScanWaiter } from "./scans/scan-waiter.js";
import type { BodyThreads } from "./threads/body-threads.js";

/** Everything the routes use, created by main.ts (or a test) and passed in: the server creates no clients. */
export interface ApiContext {
  config: Config;
  db: Db;
  logger: Logger;
  /** Asks the outbox relay to publish now, after a transaction that wrote outbox rows committed. */
  kickRelay(): void;
  /** Records cache-hit submissions with group commit. */
  cachedSubmissions: CachedSubmissions;
  scanWaiter: ScanWaiter;
  /** Worker threads that prepare large bodies off the event loop. */
  bodyThreads: BodyThreads;
  /** The newest advisory revision this process knows: cached results stamped older are verified before use. */
  advisoryRevisions: AdvisoryRevisions;
  health: HealthProbe<"redis_queue" | "redis_cache">;
  /** How long `/ready` waits for Postgres and the queue Redis (the route's own default, 100 ms, otherwise). */
  readyTimeoutMs?: number;
  cache: Cache;
  /** The layout of every cache key, under the cache's prefix. */
  keys: CacheKeys;
  /** The cache Redis itself, for the admin view of its memory and clients. */
  cacheRedis: Redis | Cluster;
  limiter: RateLimiter;
  notifier: QuotaNotifier;
  /** Every BullMQ queue, for the admin's queue board. */
  queues: Record<QueueName, Queue>;
  hotKeys: HotKeyTracker;
  metrics: SecapiMetrics;
}
