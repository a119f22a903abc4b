/**
 * BullMQ queues: scan jobs for the scan-workers and mutation events for the cache-workers (docs/OPERATIONS.md "Queues and jobs"),
 * plus webhook deliveries (quota notifications), which the scan-workers also run.
 */
export const QUEUES = {
  scans: "scans",
  events: "events",
  webhooks: "webhooks",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * The cache-worker's queue of re-run chunks (results an advisory change affects whose owners have a webhook). Not
 * in QUEUES: only the cache-worker produces and consumes it; the api names it to show it on the queue board.
 */
export const RESULT_RERUNS_QUEUE = "result-reruns";

/** The cache-worker's job scheduler that refills the hottest cache keys every minute (shown on the queue board). */
export const CACHE_WARM_QUEUE = "cache-warm";

/** The cache-worker's job scheduler of advisory feed syncs (shown on the queue board). */
export const ADVISORY_SYNC_QUEUE = "advisory-sync";
