import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AdvisoryRecord,
  type Db,
  findAdvisorySyncState,
  hasAdvisoriesFor,
  recordAdvisorySyncFailure,
  recordAdvisorySyncSuccess,
  withSessionLock,
} from "@secapi/db";
import { AdvisoryError, parseAdvisory } from "@secapi/scanners";
import { type OutboundProxy, proxyDispatcher } from "@secapi/toolkit";
import type { Logger } from "pino";
import type { Dispatcher } from "undici";
import { type InvalidAdvisory, type StoredAdvisories, advisoryRecord, storeAdvisoryBatches } from "../advisory-import.js";
import { AdvisoryFeedError } from "./advisory-feed-error.js";
import { type FeedHttpOptions, getFeedFile, getFeedText } from "./feed-http.js";
import { changedSince } from "./modified-index.js";
import { zipJsonEntries } from "./zip-entries.js";

/** The name of the Postgres advisory lock that keeps syncs one at a time across every process. */
export const ADVISORY_SYNC_LOCK = "secapi:advisory-sync";

const BATCH = 500;

/** What a sync reports as it goes, for a progress display. */
export interface AdvisorySyncProgress {
  ecosystem: string;
  phase: "all.zip" | "modified_id.csv" | "advisories" | "storing" | "done" | "failed";
  /** Advisories read so far in this phase, and (when known) how many there are. */
  done: number;
  total?: number;
}

export interface AdvisorySyncOptions extends Partial<Omit<FeedHttpOptions, "dispatcher">> {
  db: Db;
  /** ADVISORY_SYNC_URL, without a trailing slash. */
  baseUrl: string;
  /** ADVISORY_SOURCES, or the one ecosystem asked for. */
  ecosystems: readonly string[];
  logger?: Logger;
  onProgress?: (progress: AdvisorySyncProgress) => void;
  /** Advisories fetched at once during an incremental sync. */
  downloadConcurrency?: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY, as for image pulls; direct when unset. */
  proxy?: OutboundProxy;
}

export interface EcosystemSyncResult {
  ecosystem: string;
  /** `full` reads all.zip (first sync, or a new source); `incremental` reads modified_id.csv. */
  mode: "full" | "incremental";
  /** `unchanged`: the index answered 304, or listed nothing new. */
  outcome: "ok" | "unchanged" | "failed";
  /** Advisories read from the feed. */
  downloaded: number;
  imported: number;
  unchanged: number;
  invalid: InvalidAdvisory[];
  events: StoredAdvisories["stored"]["events"];
  error?: string;
  durationMs: number;
}

/** `busy`: another process holds the sync lock, nothing was done. */
export type AdvisorySyncResult = { status: "done"; ecosystems: EcosystemSyncResult[] } | { status: "busy" };

const DEFAULT_HTTP: FeedHttpOptions = { timeoutMs: 30_000, retries: 3, retryDelayMs: 1000 };

/**
 * One feed sync: each ecosystem is read from the OSV-layout feed (all.zip the first time, then the advisories
 * modified_id.csv lists as changed since the stored cursor) and stored through the advisory import, cursor
 * included, in one transaction — a failure or a crash leaves that ecosystem as the last sync left it, and the
 * others go on. One sync at a time across all processes (a Postgres session lock).
 */
export async function syncAdvisoryFeed(options: AdvisorySyncOptions): Promise<AdvisorySyncResult> {
  const locked = await withSessionLock(options.db, ADVISORY_SYNC_LOCK, async () => {
    const dispatcher = proxyDispatcher(options.proxy);
    try {
      const results: EcosystemSyncResult[] = [];
      for (const ecosystem of options.ecosystems) {
        // Shutdown: the ecosystems not begun keep their last sync; the next one picks them up.
        if (options.signal?.aborted) break;
        results.push(await syncEcosystem(options, ecosystem, dispatcher));
      }
      return results;
    } finally {
      await dispatcher?.close();
    }
  });
  return locked.acquired ? { status: "done", ecosystems: locked.value } : { status: "busy" };
}

async function syncEcosystem(
  options: AdvisorySyncOptions,
  ecosystem: string,
  dispatcher: Dispatcher | undefined,
): Promise<EcosystemSyncResult> {
  const started = performance.now();
  const http: FeedHttpOptions = {
    timeoutMs: options.timeoutMs ?? DEFAULT_HTTP.timeoutMs,
    retries: options.retries ?? DEFAULT_HTTP.retries,
    retryDelayMs: options.retryDelayMs ?? DEFAULT_HTTP.retryDelayMs,
    signal: options.signal,
    dispatcher,
  };
  const base = `${options.baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(ecosystem)}`;
  const state = await findAdvisorySyncState(options.db, ecosystem);
  // A database emptied behind the sync's back (advisories deleted, the sync state kept) is read in full again:
  // an incremental pass would only fetch what changed since a cursor whose advisories are gone.
  const full =
    !state || state.cursorModified === null || state.source !== options.baseUrl || !(await hasAdvisoriesFor(options.db, ecosystem));
  const mode = full ? "full" : "incremental";
  try {
    const outcome = full
      ? await fullSync(options, ecosystem, base, http, started)
      : await incrementalSync(options, ecosystem, base, http, started, state);
    options.onProgress?.({ ecosystem, phase: "done", done: outcome.downloaded });
    options.logger?.info(
      { ecosystem, mode, outcome: outcome.outcome, downloaded: outcome.downloaded, imported: outcome.imported },
      "advisory sync",
    );
    return { ecosystem, mode, ...outcome, durationMs: performance.now() - started };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const durationMs = performance.now() - started;
    await recordAdvisorySyncFailure(options.db, { ecosystem, source: options.baseUrl, error: message, durationMs }).catch((e: unknown) =>
      options.logger?.warn({ err: e, ecosystem }, "could not record the failed advisory sync"),
    );
    options.onProgress?.({ ecosystem, phase: "failed", done: 0 });
    options.logger?.warn({ ecosystem, mode, err: error }, "advisory sync failed; the stored advisories are unchanged");
    return {
      ecosystem,
      mode,
      outcome: "failed",
      downloaded: 0,
      imported: 0,
      unchanged: 0,
      invalid: [],
      events: [],
      error: message,
      durationMs,
    };
  }
}

type SyncOutcome = Omit<EcosystemSyncResult, "ecosystem" | "mode" | "durationMs">;

/** Parses one advisory into a record, or notes why it is not one. */
function toRecord(source: string, text: string, invalid: InvalidAdvisory[]): AdvisoryRecord | undefined {
  try {
    return advisoryRecord(parseAdvisory(JSON.parse(text)));
  } catch (error) {
    if (!(error instanceof AdvisoryError) && !(error instanceof SyntaxError)) throw error;
    invalid.push({ source, message: error.message });
    return undefined;
  }
}

async function fullSync(
  options: AdvisorySyncOptions,
  ecosystem: string,
  base: string,
  http: FeedHttpOptions,
  started: number,
): Promise<SyncOutcome> {
  const dir = await mkdtemp(join(tmpdir(), "secapi-advisory-sync-"));
  try {
    const zipPath = join(dir, "all.zip");
    options.onProgress?.({ ecosystem, phase: "all.zip", done: 0 });
    const response = await getFeedFile(`${base}/all.zip`, zipPath, http);
    if (response.status !== 200)
      throw new AdvisoryFeedError(`${base}/all.zip: HTTP ${response.status}`, `${base}/all.zip`, response.status);
    const invalid: InvalidAdvisory[] = [];
    let downloaded = 0;
    let cursor: string | null = null;
    const batches = async function* () {
      let batch: AdvisoryRecord[] = [];
      for await (const entry of zipJsonEntries(zipPath)) {
        downloaded++;
        const record = toRecord(entry.name, entry.text, invalid);
        if (record) {
          batch.push(record);
          if (cursor === null || Date.parse(record.modified) > Date.parse(cursor)) cursor = record.modified;
        }
        if (batch.length >= BATCH) {
          options.onProgress?.({ ecosystem, phase: "storing", done: downloaded });
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    };
    const { stored } = await storeAdvisoryBatches(options.db, batches(), (tx, result) =>
      recordAdvisorySyncSuccess(tx, {
        ecosystem,
        source: options.baseUrl,
        cursorModified: cursor ?? new Date(0).toISOString(),
        indexEtag: null,
        indexLastModified: null,
        outcome: "ok",
        durationMs: performance.now() - started,
        changed: result.stored.imported,
      }),
    );
    return { outcome: "ok", downloaded, imported: stored.imported, unchanged: stored.unchanged, invalid, events: stored.events };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function incrementalSync(
  options: AdvisorySyncOptions,
  ecosystem: string,
  base: string,
  http: FeedHttpOptions,
  started: number,
  state: { cursorModified: string | null; indexEtag: string | null; indexLastModified: string | null },
): Promise<SyncOutcome> {
  const indexUrl = `${base}/modified_id.csv`;
  const conditional: Record<string, string> = {};
  if (state.indexEtag) conditional["if-none-match"] = state.indexEtag;
  if (state.indexLastModified) conditional["if-modified-since"] = state.indexLastModified;
  options.onProgress?.({ ecosystem, phase: "modified_id.csv", done: 0 });
  const index = await getFeedText(indexUrl, conditional, http);
  const nothing = { downloaded: 0, imported: 0, unchanged: 0, invalid: [], events: [] };
  const record = (
    tx: Parameters<typeof recordAdvisorySyncSuccess>[0],
    cursor: string | null,
    outcome: "ok" | "unchanged",
    changed: number,
    validators: typeof state,
  ) =>
    recordAdvisorySyncSuccess(tx, {
      ecosystem,
      source: options.baseUrl,
      cursorModified: cursor,
      indexEtag: validators.indexEtag,
      indexLastModified: validators.indexLastModified,
      outcome,
      durationMs: performance.now() - started,
      changed,
    });
  if (index.status === 304) {
    await record(options.db, state.cursorModified, "unchanged", 0, state);
    return { outcome: "unchanged", ...nothing };
  }
  if (index.status !== 200) throw new AdvisoryFeedError(`${indexUrl}: HTTP ${index.status}`, indexUrl, index.status);
  const validators = {
    cursorModified: state.cursorModified,
    indexEtag: index.headers.get("etag"),
    indexLastModified: index.headers.get("last-modified"),
  };
  const changed = changedSince(index.text, state.cursorModified ?? new Date(0).toISOString());
  if (changed.length === 0) {
    await record(options.db, state.cursorModified, "unchanged", 0, validators);
    return { outcome: "unchanged", ...nothing };
  }

  const invalid: InvalidAdvisory[] = [];
  const records: AdvisoryRecord[] = [];
  let next = 0;
  let downloaded = 0;
  const worker = async () => {
    while (next < changed.length) {
      const { id } = changed[next++]!;
      const url = `${base}/${encodeURIComponent(id)}.json`;
      const response = await getFeedText(url, {}, http);
      downloaded++;
      options.onProgress?.({ ecosystem, phase: "advisories", done: downloaded, total: changed.length });
      // Listed but gone (deleted from the feed since the index was written): nothing to store.
      if (response.status === 404) {
        invalid.push({ source: url, message: "listed in modified_id.csv but not found (404)" });
        continue;
      }
      const parsed = toRecord(`${id}.json`, response.text, invalid);
      if (parsed) records.push(parsed);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.downloadConcurrency ?? 8, changed.length) }, worker));
  const cursor = changed.reduce(
    (newest, e) => (Date.parse(e.modified) > Date.parse(newest) ? e.modified : newest),
    state.cursorModified ?? changed[0]!.modified,
  );
  options.onProgress?.({ ecosystem, phase: "storing", done: records.length, total: records.length });
  const { stored } = await storeAdvisoryBatches(options.db, [records], (tx, result) =>
    record(tx, cursor, "ok", result.stored.imported, validators),
  );
  return { outcome: "ok", downloaded, imported: stored.imported, unchanged: stored.unchanged, invalid, events: stored.events };
}
