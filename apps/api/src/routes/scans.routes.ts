import {
  type ResultCurrency,
  type ScanView,
  type ScanViewEntry,
  cacheEntryTtlSeconds,
  checkedCurrency,
  image,
  isCurrent,
  labelFiltersOf,
  queryHash,
  scanLabelsSchema,
  scanTag,
  userTag,
  scanView,
  scanViewEntryLoad,
} from "@secapi/core";
import { SCAN_STATUSES, deleteScanForUser, listScansForUser } from "@secapi/db";
import { createEvent, eventMessage, writeOutbox } from "@secapi/events";
import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { ApiContext } from "../context.js";
import { scanViewCaching, setHeaders } from "../http/cache-control.js";
import { sendWithEtag } from "../http/conditional.js";
import { renderedJson, sendJsonBytes } from "../http/rendered-json.js";
import { notFound } from "../http/http-error.js";
import { uuidParam } from "../http/params.js";
import { queryParser } from "../http/query.js";
import { parseOr400 } from "../http/validation.js";
import { requestLimitOf } from "../limits/limit-requests.js";
import { requestPrincipal } from "../middleware/authenticate.js";
import { currentRead, sendCurrentRead } from "../scans/current-entries.js";
import { decodeCursor, encodeCursor } from "../scans/list-cursor.js";
import { LargeJsonBody } from "../middleware/json-body.js";
import {
  type PreparedSubmission,
  pinSubmission,
  rememberingPreparations,
  scanTypeOr400,
  submissionPolicyOf,
} from "../scans/prepare-submission.js";
import { imageTagDigests } from "../scans/image-tag-digests.js";
import { type SubmissionPayload, answerSubmission } from "../scans/answer-submission.js";
import { prepareArchiveSubmission } from "../scans/prepare-archive-submission.js";
import { IMAGE_ARCHIVE_MEDIA_TYPE, answerBeforeBody, receiveArchive } from "../scans/receive-archive.js";
import { scanQuotaRefusal } from "../scans/scan-quota-refusal.js";
import { STALE_IF_ERROR_SECONDS, markStale, staleIfDatabaseDown } from "../http/stale-if-database-down.js";

/** `?wait=N` holds a poll for at most this many seconds (docs/API.md). */
export const MAX_WAIT_SECONDS = 30;
/** `?limit=` of a scan list: at most this many scans a page, this many when not given. */
export const MAX_LIST_LIMIT = 100;
export const DEFAULT_LIST_LIMIT = 20;
/** The longest `Idempotency-Key` header taken. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;
/** Lists are invalidated by every scan event of their user; the TTL only bounds a lost invalidation. */
const LIST_TTL_SECONDS = 30;

const getQuery = queryParser(z.object({ wait: z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).optional() }), "query");
const listQuery = queryParser(
  z.object({
    limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
    cursor: z.string().max(200).optional(),
    status: z.enum(SCAN_STATUSES).optional(),
    type: z.string().max(64).optional(),
  }),
  "query",
);
/** `label.<key>=<value>` parameters, ANDed: only scans carrying every one of these labels. */
const listLabels = queryParser(scanLabelsSchema, "label filters", labelFiltersOf, "label");
const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(MAX_IDEMPOTENCY_KEY_LENGTH)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

function idempotencyKeyOf(req: Request): string | undefined {
  const header = req.get("Idempotency-Key");
  return header === undefined ? undefined : parseOr400(idempotencyKeySchema, header, "Idempotency-Key header", "Idempotency-Key");
}

/** A cached page of the user's scans, with the currency of the result summaries it shows. */
interface ListEntry extends ResultCurrency {
  page: { items: ScanView[]; next_cursor: string | null };
}

const inFlight = (entry: ScanViewEntry) => entry.status === "queued" || entry.status === "running";

/** Scan submission, polling, listing and deletion (docs/API.md "Reading scans"), read through the cache. */
export function scansRouter(ctx: ApiContext): Router {
  const router = Router();
  const prepareInline = rememberingPreparations(ctx.config.scanInputKey, submissionPolicyOf(ctx.config));

  const tagDigests = imageTagDigests(ctx.config, ctx.cache, ctx.keys);

  /**
   * The submission's body, prepared inline (a small repeat remembered), or on a thread when it is large; then pinned
   * (an image tag to its digest).
   */
  async function prepare(req: Request, typeName?: string): Promise<PreparedSubmission> {
    const submission = { typeName, ownerId: requestPrincipal(req).userId, policy: submissionPolicyOf(ctx.config) };
    const prepared =
      req.body instanceof LargeJsonBody
        ? await ctx.bodyThreads.prepareSubmission(req.body.text, submission, ctx.config.scanInputKey)
        : prepareInline({ ...submission, body: req.body }, Number(req.headers["content-length"]));
    return pinSubmission(prepared, tagDigests, ctx.config.scanInputKey);
  }

  async function respondToSubmission(
    req: Request,
    res: Response,
    prepared: PreparedSubmission,
    payload?: SubmissionPayload,
  ): Promise<void> {
    const answer = await answerSubmission(ctx, {
      principal: requestPrincipal(req),
      prepared,
      payload,
      idempotencyKey: idempotencyKeyOf(req),
      requestLimit: requestLimitOf(res),
      log: req.log,
    });
    setHeaders(res, answer.headers);
    if (answer.refused) throw answer.refused;
    const { outcome } = answer;
    setHeaders(res, outcome.headers);
    if (outcome.disposition === "replayed") res.setHeader("Idempotent-Replayed", "true");
    // With the ETag express would add to any body; a cache hit's bytes are rendered once (cachedSubmissionResponse).
    const { bytes, etag } = renderedJson(outcome.body);
    res.status(outcome.status).setHeader("ETag", etag);
    sendJsonBytes(res, bytes);
  }

  router.post("/scans", async (req, res) => {
    await respondToSubmission(req, res, await prepare(req));
  });

  // An image archive as the body; JSON (`{"image": "<reference>"}`) goes on to `/scan/:type`.
  router.post("/scan/image", async (req, res, next) => {
    if (!req.is(IMAGE_ARCHIVE_MEDIA_TYPE)) return next("route");
    // Labels travel as `?label.<key>=<value>`: the body is the archive.
    const labels = parseOr400(scanLabelsSchema, labelFiltersOf(req.query), "labels", "label");
    const overQuota = await scanQuotaRefusal(ctx, requestPrincipal(req), image.name, requestLimitOf(res));
    if (overQuota) {
      answerBeforeBody(req);
      setHeaders(res, overQuota.headers);
      throw overQuota.refused;
    }
    const archive = await receiveArchive(req, { maxBytes: ctx.config.image.maxBytes, idleTimeoutMs: ctx.config.image.uploadIdleTimeoutMs });
    try {
      const { prepared, payload } = prepareArchiveSubmission(
        { db: ctx.db, scanInputKey: ctx.config.scanInputKey, log: req.log },
        archive,
        requestPrincipal(req).userId,
        labels,
      );
      await respondToSubmission(req, res, prepared, payload);
    } finally {
      await archive.remove();
    }
  });

  router.post("/scan/:type", async (req, res) => {
    await respondToSubmission(req, res, await prepare(req, req.params.type ?? ""));
  });

  /** The cache name of the unfiltered first page, which most list reads are: its query hash is always the same. */
  let firstPageName: string | undefined;
  router.get("/scans", async (req, res) => {
    const query = listQuery(req);
    const labels = listLabels(req);
    const scanType = query.type === undefined ? undefined : scanTypeOr400(query.type).name;
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const { userId } = requestPrincipal(req);
    const filtered = Object.keys(labels).length > 0;
    const pageName = () => `scans:${queryHash({ ...query, type: scanType, ...(filtered && { labels }) })}`;
    const listKey = ctx.keys.user(userId, req.url.includes("?") ? pageName() : (firstPageName ??= pageName()));
    const load = async (): Promise<ListEntry> => {
      const rows = await listScansForUser(ctx.db, userId, {
        limit: query.limit + 1,
        after,
        status: query.status,
        scanType,
        labels: filtered ? labels : undefined,
      });
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      return {
        page: {
          items: page.map((row) => scanView(row, { summary: row.summary, outdated: row.result_current === false })),
          next_cursor: rows.length > query.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
        },
        // Summaries come from results: the page is re-read after any advisory change, or once one of them expires.
        ...checkedCurrency(
          rows[0]?.checked_revision ?? 0,
          page.map((row) => (row.result_current ? row.result_valid_until : null)),
        ),
      };
    };
    const options = { ttl: LIST_TTL_SECONDS, staleIfError: STALE_IF_ERROR_SECONDS, tags: [userTag(userId)] };
    await sendCurrentRead(ctx, req, res, { key: listKey, load, options, bodyOf: (entry) => entry?.page });
  });

  router.get("/scans/:id", async (req, res) => {
    const id = uuidParam(req.params.id);
    const { wait = 0 } = getQuery(req);
    const { userId, tier } = requestPrincipal(req);
    const key = ctx.keys.scan(id);
    const finishedTtlSeconds = cacheEntryTtlSeconds(ctx.config.tiers);
    ctx.hotKeys.touch(key);

    // From Postgres into the cache, unless the scan changed meanwhile (then the next read loads again). A
    // finished scan must never be answered in flight again: when its view could not replace the cached one
    // (outdated views are not cached; a busy fence makes the write give up), the in-flight one is dropped.
    const reload = async () => {
      const view = scanViewEntryLoad(ctx.db, id, finishedTtlSeconds);
      const { value, written } = await ctx.cache.refresh(key, view.loader, view.options);
      if (value && !written && !inFlight(value)) await ctx.cache.delete(key).catch(() => undefined);
      return value ?? undefined;
    };
    // While Postgres is away, a view the cache still holds (current, so never one an advisory change dropped)
    // answers as STALE, even when the first cache read was bypassed.
    const read = await staleIfDatabaseDown(
      ctx.cache,
      key,
      async () => {
        const cached = await currentRead(ctx, await ctx.cache.get<ScanViewEntry>(key), reload);
        return cached.value ? cached : { value: await reload(), status: cached.status };
      },
      (view: ScanViewEntry) => isCurrent(view, ctx.advisoryRevisions.latest),
    );
    let cacheStatus = read.status;
    let entry = read.value;
    // Another user's scan is indistinguishable from a missing one.
    if (!entry || entry.userId !== userId) throw notFound("Scan");

    // Wake on the run's notification, or every second (recheckMs) to re-check (a notification can be lost).
    if (wait > 0 && inFlight(entry)) {
      const deadline = Date.now() + wait * 1000;
      const abort = new AbortController();
      res.once("close", () => abort.abort());
      while (inFlight(entry) && entry.jobId && Date.now() < deadline && ctx.scanWaiter.open) {
        await ctx.scanWaiter.wait(entry.jobId, Math.min(ctx.scanWaiter.recheckMs, deadline - Date.now()), abort.signal);
        if (abort.signal.aborted) return;
        entry = await reload();
        cacheStatus = "MISS";
        if (!entry) throw notFound("Scan");
      }
    }

    res.setHeader("X-Cache-Status", cacheStatus);
    setHeaders(res, scanViewCaching(entry, { finishedTtlSeconds, tierTtlSeconds: ctx.config.tiers[tier].result_ttl_seconds, cacheStatus }));
    if (inFlight(entry)) res.setHeader("Retry-After", "1");
    if (cacheStatus === "STALE") markStale(res);
    sendWithEtag(req, res, entry.body, entry.etag);
  });

  router.delete("/scans/:id", async (req, res) => {
    const id = uuidParam(req.params.id);
    const { userId } = requestPrincipal(req);
    const deleted = await ctx.db.transaction().execute(async (tx) => {
      const row = await deleteScanForUser(tx, id, userId);
      if (row) await writeOutbox(tx, [eventMessage(createEvent("scan.deleted", { scanId: id, userId }))]);
      return row;
    });
    if (!deleted) throw notFound("Scan");
    // Gone at once for every API process (the cache bus carries it); the event does it again, harmlessly,
    // and is what makes it happen if the cache Redis is down right now.
    await ctx.cache
      .invalidateTags([scanTag(id), userTag(userId)])
      .catch((error: unknown) => req.log.warn({ err: error }, "could not invalidate the deleted scan"));
    ctx.kickRelay();
    res.status(204).end();
  });

  return router;
}
