import { randomUUID } from "node:crypto";
import { type ResultEntry, type ScanView, inputHash, scanLocation, scanView, scanWithResultView } from "@secapi/core";
import {
  type Db,
  type DbExecutor,
  type InputKey,
  type NewScan,
  type Principal,
  type ScanLabels,
  type StoredResponse,
  claimIdempotencyKey,
  findInFlightScan,
  findScanWithResult,
  insertAnnouncedScans,
  insertScan,
  lockNameForTransaction,
  putScanInput,
  recordScanUsage,
  saveIdempotentResponse,
} from "@secapi/db";
import {
  type OutboxMessage,
  createEvent,
  eventMessage,
  outboxRows,
  scanCoalescingKey,
  scanJobMessage,
  scanRunJobId,
  writeOutbox,
} from "@secapi/events";
import { unprocessable } from "../http/http-error.js";
import { orderedSummary } from "@secapi/scanners";

/** docs/API.md "Idempotency-Key": the same Idempotency-Key and body within 24 h returns the first response. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export interface ScanSubmission {
  principal: Principal;
  /** The input's content address (prepareSubmission). */
  key: InputKey;
  /** Stored on the scan; part of the request an Idempotency-Key stands for, never of the input's key. */
  labels?: ScanLabels | undefined;
  /** The canonical input sealed for Postgres: stored only when the submission starts a run. */
  sealed(): Buffer;
  /** The hash of the input as submitted, when it differs from the key's (a pinned image tag): the request's identity. */
  submittedHash?: string | undefined;
  idempotencyKey?: string | undefined;
  /** A fresh result of this input from the cache: the scan is recorded as completed, nothing runs. */
  cached?: ResultEntry | undefined;
}

export interface SubmissionOutcome extends StoredResponse {
  /**
   * How the request was answered: a new run, joined to a run in flight, from a cached result, or as the
   * replay of an earlier request with the same Idempotency-Key.
   */
  disposition: "queued" | "coalesced" | "cached" | "replayed";
}

/** The `scan.created` event of a new scan, for the outbox. */
export function scanCreatedMessage(scanId: string, userId: string, key: InputKey): OutboxMessage {
  return eventMessage(createEvent("scan.created", { scanId, userId, type: key.scanType, inputHash: key.inputHash }));
}

/** The row of a scan answered from a cached result: completed at once, no run. */
export function cachedScan(scanId: string, userId: string, key: InputKey, cached: ResultEntry, labels: ScanLabels = {}): NewScan {
  return { id: scanId, userId, key, status: "completed", jobId: null, cached: true, resultId: cached.resultId, labels };
}

/**
 * A cached result's summary in its fixed order. Results are ordered when they are loaded into the cache
 * (`loadResultEntry`); this covers entries cached before that, at the cost of one small object per answer.
 */
function withOrderedSummary(result: unknown): unknown {
  if (typeof result !== "object" || result === null || !("summary" in result)) return result;
  return { ...result, summary: orderedSummary(result.summary) };
}

/**
 * Answers built per cached scan, with the result they were built from: a user's repeats get the same scan and
 * result objects back from the cache's L1, so they share one answer, whose bytes are rendered once (renderedJson).
 */
const cachedAnswers = new WeakMap<ScanView, { cached: ResultEntry; response: StoredResponse }>();

/** The answer to a submission served from a cached result: the completed scan, with the result. Never mutate it. */
export function cachedSubmissionResponse(scan: ScanView, cached: ResultEntry): StoredResponse {
  const built = cachedAnswers.get(scan);
  if (built?.cached === cached) return built.response;
  const response = {
    status: 200,
    body: { ...scan, result: withOrderedSummary(cached.result) },
    headers: { Location: scanLocation(scan.id) },
  };
  cachedAnswers.set(scan, { cached, response });
  return response;
}

/**
 * The answer to a repeated Idempotency-Key: the first answer's status and headers, with its scan as it is now
 * (docs/API.md "Idempotency-Key"), so that a result that stopped being current is never served again. The answer
 * of a scan deleted since is repeated without its result, which can no longer be checked.
 */
async function replayOf(db: DbExecutor, first: StoredResponse, userId: string): Promise<StoredResponse> {
  const { id, result: _unchecked, ...rest } = first.body as { id?: unknown; result?: unknown };
  const scan = typeof id === "string" ? await findScanWithResult(db, id) : undefined;
  if (scan?.user_id === userId) return { ...first, body: scanWithResultView(scan) };
  return { ...first, body: { id, ...rest } };
}

/**
 * Records a scan in one transaction. Answered from a cached result, it is a completed scan and nothing
 * runs. Otherwise the scan row, the sealed input, the job and the `scan.created`
 * event commit together or not at all, so an outage of the queue Redis loses nothing (the outbox relay
 * delivers later). Submissions of an input already in flight join its run instead of starting one; the
 * advisory lock on the coalescing key makes that decision race-free against other submissions and
 * against the worker finishing the run.
 */
export async function submitScan(db: Db, submission: ScanSubmission): Promise<SubmissionOutcome> {
  const { principal, key } = submission;
  const labels = submission.labels ?? {};
  const coalescingKey = scanCoalescingKey(key);

  return db.transaction().execute(async (tx) => {
    if (submission.idempotencyKey !== undefined) {
      // Same type, same canonical input and same labels ⇔ same request; the input's hash stands for the input.
      // (Without labels the hash is the one an unlabelled request always had.)
      const requestHash = inputHash({
        type: key.scanType,
        inputHash: submission.submittedHash ?? key.inputHash,
        ...(Object.keys(labels).length > 0 && { labels }),
      });
      const claim = await claimIdempotencyKey(tx, {
        userId: principal.userId,
        key: submission.idempotencyKey,
        requestHash,
        ttlSeconds: IDEMPOTENCY_TTL_SECONDS,
      });
      if (!claim.claimed) {
        if (claim.requestHash !== requestHash) {
          throw unprocessable("idempotency_key_reused", "This Idempotency-Key was already used with a different request body");
        }
        if (claim.response) return { ...(await replayOf(tx, claim.response, principal.userId)), disposition: "replayed" };
      }
    }

    const scanId = randomUUID();
    const created = scanCreatedMessage(scanId, principal.userId, key);
    let response: StoredResponse;
    let disposition: SubmissionOutcome["disposition"];

    if (submission.cached) {
      const [scan] = await insertAnnouncedScans(
        tx,
        [cachedScan(scanId, principal.userId, key, submission.cached, labels)],
        outboxRows([created]),
      );
      if (!scan) throw new Error("INSERT INTO scans returned no row");
      disposition = "cached";
      response = cachedSubmissionResponse(scanView(scan), submission.cached);
    } else {
      await lockNameForTransaction(tx, coalescingKey);
      const inFlight = await findInFlightScan(tx, key);
      const jobId = inFlight?.job_id ?? scanRunJobId(key, scanId);
      const scan = await insertScan(tx, {
        id: scanId,
        userId: principal.userId,
        key,
        status: inFlight?.status ?? "queued",
        startedAt: inFlight?.started_at ?? null,
        jobId,
        labels,
      });
      if (!inFlight) await putScanInput(tx, key, submission.sealed());
      await writeOutbox(tx, [...(inFlight ? [] : [scanJobMessage(key, jobId)]), created]);
      await recordScanUsage(tx, { userId: principal.userId, scanId });
      disposition = inFlight ? "coalesced" : "queued";
      response = { status: 202, body: scanView(scan), headers: { Location: scanLocation(scanId), "Retry-After": "1" } };
    }

    if (submission.idempotencyKey !== undefined) {
      await saveIdempotentResponse(tx, { userId: principal.userId, key: submission.idempotencyKey, response });
    }
    return { ...response, disposition };
  });
}
