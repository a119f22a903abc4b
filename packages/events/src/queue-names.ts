/** BullMQ queues (DESIGN.md): scan jobs for the scan-workers, mutation events for the cache-workers. */
export const QUEUES = {
  scans: "scans",
  events: "events",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];
