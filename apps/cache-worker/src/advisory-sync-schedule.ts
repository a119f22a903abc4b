import type { Config } from "@secapi/config";
import { syncAdvisoryFeed } from "@secapi/core";
import { type Db, countAdvisories } from "@secapi/db";
import { ADVISORY_SYNC_QUEUE } from "@secapi/events";
import { Queue, Worker } from "bullmq";
import type { Cluster, Redis } from "ioredis";
import type { Logger } from "pino";

/** The sync job's BullMQ lock (renewed every half of it while the sync runs), and how often stalled jobs are looked for. */
const SYNC_LOCK_MS = 30_000;
const SYNC_STALLED_CHECK_MS = 10_000;

/** How soon the scheduler's next run must be due for the start to leave the first sync to it. */
const DUE_SOON_MS = 60_000;

/**
 * Whether the scheduler, as it stands before this start upserts it, runs a sync within a minute anyway: a new
 * scheduler's first run is immediate, and an extra initial sync would only repeat it (one more index read per
 * ecosystem, and offline one more warning each). Read before the upsert: once the first run starts, `next` moves on.
 */
async function runsSoon(queue: Queue): Promise<boolean> {
  const scheduler = await queue.getJobScheduler("advisory-sync");
  return scheduler === undefined || (scheduler.next !== undefined && scheduler.next <= Date.now() + DUE_SOON_MS);
}

export interface AdvisorySyncSchedule {
  /** The sync's queue, for `secapi_queue_jobs`. */
  queue: Queue;
  close(): Promise<void>;
}

/**
 * Runs the advisory feed sync on a BullMQ job scheduler (ADVISORY_SYNC_INTERVAL; 0 removes it), and once at
 * start when no advisory is stored yet. BullMQ runs each scheduled job on one cache-worker; the sync's own
 * Postgres lock keeps a manual `secapi advisories sync` from overlapping it. A failed sync is logged and
 * recorded per ecosystem, never thrown: the next interval tries again.
 */
export async function startAdvisorySyncSchedule(options: {
  config: Config;
  db: Db;
  logger: Logger;
  connection: Redis | Cluster;
}): Promise<AdvisorySyncSchedule> {
  const { config, db, logger } = options;
  const { sources, url, intervalSeconds } = config.advisorySync;
  const queue = new Queue(ADVISORY_SYNC_QUEUE, {
    connection: options.connection.duplicate(),
    prefix: config.queuePrefix(ADVISORY_SYNC_QUEUE),
  });
  queue.on("error", () => undefined);
  // A sync can wait minutes on an unreachable feed (timeouts, retries): shutdown stops it instead of waiting.
  const stopping = new AbortController();
  const worker = new Worker(
    ADVISORY_SYNC_QUEUE,
    async () => {
      const result = await syncAdvisoryFeed({
        db,
        baseUrl: url,
        ecosystems: sources,
        proxy: config.proxy,
        logger,
        signal: stopping.signal,
      });
      if (result.status === "busy") logger.info("advisory sync skipped: another one is running");
      return result.status === "busy"
        ? result
        : { status: result.status, failed: result.ecosystems.filter((e) => e.outcome === "failed").map((e) => e.ecosystem) };
    },
    {
      connection: options.connection.duplicate(),
      prefix: config.queuePrefix(ADVISORY_SYNC_QUEUE),
      concurrency: 1,
      // A sync killed mid-way (its transaction rolled back) is taken up again once its lock lapses and a stalled
      // check sees it: within about 40 s, not at the next interval. A lock lost by a live but busy worker is
      // harmless: the Postgres sync lock makes the second run report busy and do nothing.
      lockDuration: SYNC_LOCK_MS,
      stalledInterval: SYNC_STALLED_CHECK_MS,
    },
  );
  worker.on("error", (error) => logger.warn({ err: error }, "advisory sync worker error"));
  worker.on("failed", (_job, error) => logger.warn({ err: error }, "advisory sync failed"));

  const jobOptions = { removeOnComplete: 10, removeOnFail: 50 };
  try {
    // Both read before the upsert, which may start the first run at once.
    const empty = intervalSeconds > 0 && (await countAdvisories(db)) === 0;
    const firstRunSoon = intervalSeconds > 0 && (await runsSoon(queue));
    if (intervalSeconds > 0) {
      await queue.upsertJobScheduler("advisory-sync", { every: intervalSeconds * 1000 }, { name: "sync", opts: jobOptions });
    } else {
      await queue.removeJobScheduler("advisory-sync");
    }
    if (empty) {
      logger.info({ url, sources }, "the advisory database is empty: syncing it from the feed now");
      if (!firstRunSoon) await queue.add("sync", {}, { ...jobOptions, deduplication: { id: "initial-sync" } });
    }
  } catch (error) {
    logger.warn({ err: error }, "could not schedule the advisory sync (queue Redis or Postgres down?)");
  }
  return {
    queue,
    close: async () => {
      stopping.abort();
      await worker.close();
      await queue.close();
    },
  };
}
