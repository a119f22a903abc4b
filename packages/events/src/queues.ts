import { Queue } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import { defaultJobOptions } from "./job-options.js";
import { QUEUES, type QueueName } from "./queue-names.js";

export interface QueueSetOptions {
  /** ioredis connection to the queue Redis (noeviction), owned by the caller. */
  connection: Redis | Cluster;
  /** BullMQ key prefix, or each queue's (on a Redis Cluster each queue has a hash tag of its own). */
  prefix: string | ((queue: QueueName) => string);
  scanAttempts?: number;
  /**
   * Errors the queues emit, mostly the connection's own errors again. Without a listener BullMQ prints
   * each one to the console; the connection's owner usually logs them already.
   */
  onError?: (error: Error, queue: QueueName) => void;
}

/** Producer handles for both queues, with SecAPI's retention and retry defaults. */
export function createQueues(options: QueueSetOptions): Record<QueueName, Queue> {
  const make = (name: QueueName) => {
    const queue = new Queue(name, {
      connection: options.connection,
      prefix: typeof options.prefix === "string" ? options.prefix : options.prefix(name),
      defaultJobOptions: defaultJobOptions(name, options.scanAttempts),
    });
    queue.on("error", (error) => options.onError?.(error, name));
    return queue;
  };
  return Object.fromEntries(Object.values(QUEUES).map((name) => [name, make(name)])) as Record<QueueName, Queue>;
}

/** Closes every queue of a set (not the shared connection). */
export async function closeQueues(queues: Record<QueueName, Queue>): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
