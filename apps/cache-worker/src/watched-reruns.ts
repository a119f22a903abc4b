import { findScanResult, findWatchedResultsTagged, type InputKey } from "@secapi/db";
import { QUEUES, RESULT_RERUNS_QUEUE, defaultJobOptions } from "@secapi/events";
import { type Job, Queue, UnrecoverableError } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { CacheWorkerContext } from "./context.js";
import { rerunStoredResult } from "./rerun-result.js";

/** The cache-worker's queue of re-run chunks: the results an advisory change affects whose owners have a webhook. */
export const RERUN_QUEUE = RESULT_RERUNS_QUEUE;

/** The producer of RERUN_QUEUE: a chunk that fails (Postgres away) is retried like an event, and kept a while after. */
export function createRerunQueue(connection: Redis | Cluster, prefix: string): Queue {
  const queue = new Queue(RERUN_QUEUE, { connection, prefix, defaultJobOptions: defaultJobOptions(QUEUES.events) });
  queue.on("error", () => undefined);
  return queue;
}

/** Results listed per query while an advisory change is fanned out into chunks. */
const PAGE = 1000;

function isInputKey(value: unknown): value is InputKey {
  const key = value as Partial<InputKey> | null;
  return (
    typeof key === "object" &&
    key !== null &&
    typeof key.scanType === "string" &&
    typeof key.inputHash === "string" &&
    (key.ownerId === null || typeof key.ownerId === "string")
  );
}

/**
 * Queues a re-run of every result tagged with `tags` that a user with a webhook has a scan of, in chunks of
 * `ctx.rerunChunkSize`: the event handler only lists ids, however large the change, and the re-runs spread over the
 * cache-workers. Job ids derive from the event, so a redelivered event queues its chunks once. Returns the ids of
 * the results queued.
 */
export async function queueWatchedReruns(ctx: CacheWorkerContext, eventId: string, tags: readonly string[]): Promise<Set<string>> {
  const queued = new Set<string>();
  let afterId: string | undefined;
  let chunkNo = 0;
  for (;;) {
    const page = await findWatchedResultsTagged(ctx.db, tags, { afterId, limit: PAGE });
    if (page.length === 0) break;
    const jobs = [];
    for (let i = 0; i < page.length; i += ctx.rerunChunkSize) {
      const keys: InputKey[] = page
        .slice(i, i + ctx.rerunChunkSize)
        .map((row) => ({ scanType: row.scan_type, ownerId: row.owner_id, inputHash: row.input_hash }));
      jobs.push({ name: "rerun", data: { keys }, opts: { jobId: `${eventId}-${chunkNo++}` } });
    }
    await ctx.reruns.addBulk(jobs);
    for (const row of page) queued.add(row.id);
    afterId = page[page.length - 1]!.id;
    if (page.length < PAGE) break;
  }
  return queued;
}

/**
 * The processor of RERUN_QUEUE: re-runs each result of the chunk that is not current any more (one already re-run,
 * by a submission or an earlier delivery of this chunk, is left alone).
 */
export function createRerunProcessor(ctx: CacheWorkerContext) {
  return async function rerunChunk(job: Job): Promise<{ rerun: number; current: number }> {
    const keys: unknown = (job.data as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys) || !keys.every(isInputKey)) throw new UnrecoverableError(`re-run job ${job.id} is malformed`);
    let rerun = 0;
    let current = 0;
    for (const key of keys) {
      const stored = await findScanResult(ctx.db, key);
      if (!stored) continue;
      if (stored.current) {
        current++;
        continue;
      }
      await rerunStoredResult(ctx, key);
      rerun++;
    }
    return { rerun, current };
  };
}
