import { TimeoutError, withTimeout } from "@secapi/toolkit";
import type { Gauge } from "prom-client";

/** The BullMQ job states `secapi_queue_jobs{state}` reports. */
export const QUEUE_JOB_STATES = ["waiting", "active", "delayed", "completed", "failed", "prioritized", "waiting-children"] as const;
export type QueueJobState = (typeof QUEUE_JOB_STATES)[number];

/** The part of a BullMQ `Queue` the gauge needs; a real `Queue` fits, and the library needs no bullmq import. */
export interface JobCountsSource {
  readonly name: string;
  getJobCounts(...states: QueueJobState[]): Promise<Record<string, number>>;
}

/** How long a scrape waits for a queue's counts before it reports the last known ones. */
export const DEFAULT_QUEUE_COUNT_TIMEOUT_MS = 1000;

/**
 * Keeps `secapi_queue_jobs{queue,state}` current: `refresh()` runs as the gauge's collect callback, so
 * the counts are read from Redis at scrape time. A queue that does not answer within the timeout (Redis down
 * or slow) keeps its last values, and the scrape still succeeds. At most one read per queue is in flight, so
 * scrapes during an outage do not pile commands onto a reconnecting client.
 */
export class QueueJobsTracker {
  private readonly queues = new Set<JobCountsSource>();
  private readonly inFlight = new Map<JobCountsSource, Promise<void>>();

  constructor(private readonly timeoutMs = DEFAULT_QUEUE_COUNT_TIMEOUT_MS) {}

  /** Adds queues to report; a queue added twice is reported once. */
  track(queues: Iterable<JobCountsSource>): void {
    for (const queue of queues) this.queues.add(queue);
  }

  /** Reads every tracked queue's counts into `gauge`, waiting at most the timeout. */
  async refresh(gauge: Gauge<"queue" | "state">): Promise<void> {
    await Promise.all([...this.queues].map((queue) => this.refreshOne(queue, gauge)));
  }

  private async refreshOne(queue: JobCountsSource, gauge: Gauge<"queue" | "state">): Promise<void> {
    let read = this.inFlight.get(queue);
    if (!read) {
      read = queue
        .getJobCounts(...QUEUE_JOB_STATES)
        .then((counts) => {
          for (const state of QUEUE_JOB_STATES) gauge.set({ queue: queue.name, state }, counts[state] ?? 0);
        })
        .catch(() => undefined)
        .finally(() => this.inFlight.delete(queue));
      this.inFlight.set(queue, read);
    }
    // Past the timeout the scrape goes on with the last known counts; the read still lands when it answers.
    await withTimeout(read, this.timeoutMs, () => new TimeoutError(`${queue.name} job counts`, this.timeoutMs)).catch(() => undefined);
  }
}
