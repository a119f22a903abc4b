import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { defaultJobOptions } from "./job-options.js";
import { QUEUES, type QueueName } from "./queue-names.js";

export interface QueueSetOptions {
  /** ioredis connection to the queue Redis (noeviction), owned by the caller. */
  connection: Redis;
  /** BullMQ key prefix; `{secapi}` keeps every queue in one Redis Cluster hash slot. */
  prefix: string;
  scanAttempts?: number;
}

/** Producer handles for both queues, with SecAPI's retention and retry defaults. */
export function createQueues(options: QueueSetOptions): Record<QueueName, Queue> {
  const make = (name: QueueName) =>
    new Queue(name, {
      connection: options.connection,
      prefix: options.prefix,
      defaultJobOptions: defaultJobOptions(name, options.scanAttempts),
    });
  return { [QUEUES.scans]: make(QUEUES.scans), [QUEUES.events]: make(QUEUES.events) } as Record<QueueName, Queue>;
}

/** Closes every queue of a set (not the shared connection). */
export async function closeQueues(queues: Record<QueueName, Queue>): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
