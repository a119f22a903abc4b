import type { JobsOptions } from "bullmq";
import { QUEUES, type QueueName } from "./queue-names.js";

/**
 * Retention is bounded on every queue, or Redis grows forever. Scan jobs are removed as soon as they end:
 * their outcome lives in Postgres (scans.status, error), and nothing reads a finished scan job.
 */
export function defaultJobOptions(queue: QueueName, scanAttempts = 5): JobsOptions {
  if (queue === QUEUES.scans) {
    return {
      attempts: scanAttempts,
      backoff: { type: "exponential", delay: 1000 },
      removeOnComplete: true,
      removeOnFail: true,
    };
  }
  if (queue === QUEUES.webhooks) {
    // A receiver may be down for a while: about 9 minutes of retries in all.
    return {
      attempts: 8,
      backoff: { type: "exponential", delay: 2000 },
      removeOnComplete: { age: 24 * 3600, count: 1000 },
      removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
    };
  }
  return {
    attempts: 8,
    backoff: { type: "exponential", delay: 500 },
    removeOnComplete: { age: 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
  };
}
