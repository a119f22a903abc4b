import type { Cache } from "@secapi/cache";
import { type CacheKeys, type ResultEntry, type ScanView, inputHash, scanTag, scanView } from "@secapi/core";
import { type Db, type InputKey, type ScanLabels, findCachedScanOf } from "@secapi/db";
import type { CachedScanRecorder, CachedSubmission } from "./cached-scan-recorder.js";
import { staleIfDatabaseDown } from "../http/stale-if-database-down.js";

/** The user's cached scan of an input, as cached under `keys.user(userId, "cached-scan:…")`. */
interface CachedScanEntry {
  /** The result it was answered from: a scan of another result is not the same answer. */
  resultId: string;
  scan: ScanView;
}

export interface CachedSubmissionsOptions {
  db: Db;
  cache: Cache;
  keys: CacheKeys;
  recorder: CachedScanRecorder;
  /** How long a user's cached scan of an input stays in the cache (deleting the scan drops it sooner); default 1 h. */
  ttlSeconds?: number;
}

/**
 * Answers submissions that hit a cached result. The first one of a user for an input records a completed,
 * cached scan (group-committed, with its `scan.created` event); the user's later submissions of the same input
 * answered from the same result get that same scan back, and write nothing.
 *
 * Every scan of an input points at the one stored result of that input, so a second row per repeat would hold
 * nothing new: only another id and timestamp, a row and an event per request, and a list flooded with copies
 * (a CI job submitting its lockfile on every push). Repeats are still counted as requests (request quota,
 * `secapi_scan_requests_total`). A deleted scan is not returned again: deleting drops its `scan:<id>` tag,
 * and Postgres is asked before a new row is written. Concurrent repeats in one process share one recording;
 * across processes, two first repeats at the same instant may each record one, which is harmless.
 */
export class CachedSubmissions {
  private readonly recording = new Map<string, Promise<ScanView>>();

  private readonly ttlSeconds: number;

  constructor(private readonly options: CachedSubmissionsOptions) {
    this.ttlSeconds = options.ttlSeconds ?? 3600;
  }

  /**
   * The scan that answers this user's cache-hit submission of `key` with these labels (without the result: the
   * caller adds it). Other labels are another scan: each project's submissions keep their own labels.
   */
  async answer(userId: string, key: InputKey, cached: ResultEntry, labels: ScanLabels = {}): Promise<ScanView> {
    const { cache, db, keys } = this.options;
    const ttlSeconds = this.ttlSeconds;
    const labelled = Object.keys(labels).length > 0 ? `:${inputHash(labels)}` : "";
    const entryKey = keys.user(userId, `cached-scan:${key.scanType}:${key.inputHash}${labelled}`);
    // While Postgres is away, the cached scan still answers if the cache holds it (its read may have been bypassed).
    const { value } = await staleIfDatabaseDown<CachedScanEntry | null>(
      cache,
      entryKey,
      () =>
        cache.getOrLoad<CachedScanEntry | null>(
          entryKey,
          async () => {
            const row = await findCachedScanOf(db, userId, key, cached.resultId, labels);
            return row ? { resultId: cached.resultId, scan: scanView(row) } : null;
          },
          { ttl: ttlSeconds, tagsOf: (entry) => (entry ? [scanTag(entry.scan.id)] : []), ttlOf: (entry) => (entry ? ttlSeconds : 0) },
        ),
      (entry) => entry?.resultId === cached.resultId,
    );
    if (value && value.resultId === cached.resultId) return value.scan;

    const inFlight = this.recording.get(entryKey);
    if (inFlight) return inFlight;
    const recorded = this.record(entryKey, { userId, key, cached, labels }).finally(() => this.recording.delete(entryKey));
    this.recording.set(entryKey, recorded);
    return recorded;
  }

  private async record(entryKey: string, submission: CachedSubmission): Promise<ScanView> {
    const { cached } = submission;
    const scan = scanView(await this.options.recorder.record(submission));
    const entry: CachedScanEntry = { resultId: cached.resultId, scan };
    // Not written (Redis away, cache off): the next repeat finds the row in Postgres instead.
    await this.options.cache.set(entryKey, entry, { ttl: this.ttlSeconds, tags: [scanTag(scan.id)] });
    return scan;
  }
}
