import type { Cache, HotKeyTracker } from "@secapi/cache";
import type { CacheKeys } from "@secapi/core";
import type { Db } from "@secapi/db";
import type { Queue } from "bullmq";
import type { Logger } from "pino";

/** What the cache-worker's handlers use, created by main.ts (or a test). */
export interface CacheWorkerContext {
  db: Db;
  cache: Cache;
  keys: CacheKeys;
  hotKeys: HotKeyTracker;
  logger: Logger;
  scanInputKey: Buffer;
  /** How long warmed entries live: the longest tier TTL; readers check freshness against their own tier. */
  entryTtlSeconds: number;
  /** How many of the hottest affected results an advisory change re-runs at once (of owners without a webhook). */
  rerunLimit: number;
  /** Queue `webhooks`: findings-change notices for the scan-workers to deliver. */
  webhooks: Pick<Queue, "addBulk">;
  /** RERUN_QUEUE: chunks of results to re-run because an owner has a webhook. */
  reruns: Pick<Queue, "addBulk">;
  /** Results per re-run chunk. */
  rerunChunkSize: number;
}
