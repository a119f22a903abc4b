/**
 * BullMQ queues: scan jobs for the scan-workers and mutation events for the cache-workers (DESIGN.md),
 * plus webhook deliveries (quota notifications), which the scan-workers also run.
 */
export const QUEUES = {
  scans: "scans",
  events: "events",
  webhooks: "webhooks",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
