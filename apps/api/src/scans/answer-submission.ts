import {
  cacheEntryTtlSeconds,
  isCurrent,
  isFreshFor,
  resultEntryLoad,
  userSubject,
  scanWindows,
  userTag,
  type ResultEntry,
} from "@secapi/core";
import { type Principal, isMissingResultError } from "@secapi/db";
import { type LimitDecision, rateLimitHeaders } from "@secapi/limiter";
import type { Logger } from "pino";
import type { ApiContext } from "../context.js";
import type { HttpError } from "../http/http-error.js";
import { limitError, mergeDecisions, reportsEvery, withoutWindows } from "../limits/rate-limit-response.js";
import { currentRead } from "./current-entries.js";
import type { PreparedSubmission } from "./prepare-submission.js";
import { STALE_WARNING, staleIfDatabaseDown } from "../http/stale-if-database-down.js";
import { recordScanQuotaDenial } from "./scan-quota-refusal.js";
import { type SubmissionOutcome, cachedSubmissionResponse, submitScan } from "./submit-scan.js";

/**
 * Bytes a run needs that are stored apart from its input (an uploaded image archive): stored only when the
 * submission is not answered from the cache, and dropped again unless the submission started a new run.
 */
export interface SubmissionPayload {
  store(): Promise<void>;
  discard(): Promise<void>;
}

export interface SubmissionRequest {
  principal: Principal;
  prepared: PreparedSubmission;
  payload?: SubmissionPayload | undefined;
  idempotencyKey: string | undefined;
  /** The request limit's decision, taken by the middleware before the route (it also read the scan quotas). */
  requestLimit: LimitDecision | undefined;
  log: Logger;
}

/** What the route sends: these headers in any case, and the outcome, or the refusal to throw. */
export type SubmissionAnswer = { headers: Record<string, string> } & (
  { outcome: SubmissionOutcome; refused?: undefined } | { refused: HttpError; outcome?: undefined }
);

/** A result of this input computed within the caller's tier TTL and still current, or none; and the cache's status. */
async function freshResult(ctx: ApiContext, { principal, prepared }: SubmissionRequest) {
  const tier = ctx.config.tiers[principal.tier];
  // Read through to Postgres: a stored result answers even when the cache is cold, flushed or unavailable.
  const cacheKey = ctx.keys.result(prepared.key);
  const stored = resultEntryLoad(ctx.db, prepared.key, cacheEntryTtlSeconds(ctx.config.tiers));
  // Only a current result answers: one stamped before the newest advisory revision is verified in Postgres,
  // and dropped from the cache if its advisories changed.
  // While Postgres is away, a current result the cache holds still answers (STALE), even after a bypassed read.
  const lookup = await staleIfDatabaseDown(
    ctx.cache,
    cacheKey,
    async () =>
      currentRead(ctx, await ctx.cache.getOrLoad(cacheKey, stored.loader, stored.options), async () => {
        const reloaded = await ctx.cache.refresh(cacheKey, stored.loader, stored.options);
        if (!reloaded.value) await ctx.cache.delete(cacheKey).catch(() => undefined);
        return reloaded.value;
      }),
    (entry: ResultEntry | null) => entry !== null && isCurrent(entry, ctx.advisoryRevisions.latest),
  );
  ctx.hotKeys.touch(cacheKey);
  const cached: ResultEntry | undefined = lookup.value && isFreshFor(lookup.value, tier.result_ttl_seconds) ? lookup.value : undefined;
  return { cacheKey, cached, cacheStatus: cached || lookup.status === "BYPASS" ? lookup.status : "MISS" };
}

/**
 * A scan submission, decided and recorded: answered from a current cached result (no quota used), replayed for a
 * repeated Idempotency-Key, joined to the same input's run in flight, or queued as a new run — or refused by the
 * scan quota. The route only prepares the body before and renders the answer after.
 */
export async function answerSubmission(ctx: ApiContext, request: SubmissionRequest, retried = false): Promise<SubmissionAnswer> {
  const { principal, prepared, idempotencyKey, requestLimit } = request;
  // An input that could not be pinned (an image tag whose registry did not answer) runs as given: a result of it
  // may be of what the name named long ago.
  const { cacheKey, cached, cacheStatus } = prepared.uncached
    ? { cacheKey: ctx.keys.result(prepared.key), cached: undefined, cacheStatus: "BYPASS" as const }
    : await freshResult(ctx, request);

  const subject = userSubject(principal.userId);
  const windows = scanWindows(ctx.config.tiers[principal.tier]);
  // The request limit's check already read the scan quotas (report-only): a cache hit needs nothing more.
  const reported = cached && requestLimit && reportsEvery(requestLimit, windows) ? requestLimit : undefined;
  const quota = reported ?? (await ctx.limiter.check({ subject, windows, peek: cached !== undefined }));
  const limits = reported ?? (requestLimit ? mergeDecisions(withoutWindows(requestLimit, windows), quota) : quota);
  const headers = {
    ...rateLimitHeaders(limits, Date.now()),
    "X-Cache-Status": cacheStatus,
    ...(cacheStatus === "STALE" && { Warning: STALE_WARNING }),
  };

  const refused = cached ? undefined : limitError(quota);
  if (refused) {
    recordScanQuotaDenial(ctx, principal, prepared.type.name, quota);
    return { headers, refused };
  }
  const consumed = !cached && quota.outcome === "allowed";
  const giveBack = () => (consumed ? ctx.limiter.refund(subject, windows) : Promise.resolve());

  // A cache hit without an Idempotency-Key is answered with the user's cached scan of this input, recorded
  // (group-committed, dropping the user's cached lists) only the first time. Everything else takes a
  // transaction of its own.
  const groupCommitted = cached !== undefined && idempotencyKey === undefined;
  const { payload } = request;
  let outcome: SubmissionOutcome;
  try {
    if (!cached) await payload?.store();
    outcome = groupCommitted
      ? {
          ...cachedSubmissionResponse(await ctx.cachedSubmissions.answer(principal.userId, prepared.key, cached, prepared.labels), cached),
          disposition: "cached",
        }
      : await submitScan(ctx.db, {
          principal,
          key: prepared.key,
          labels: prepared.labels,
          sealed: prepared.sealed,
          submittedHash: prepared.submittedHash,
          idempotencyKey,
          cached,
        });
  } catch (error) {
    await payload?.discard();
    await giveBack();
    // The cache named a result that Postgres no longer has (restored from a backup, or a cache Redis shared
    // with another database): drop the entry everywhere and answer as if it had never been cached.
    if (cached && !retried && isMissingResultError(error)) {
      request.log.warn({ key: cacheKey }, "a cached result is gone from Postgres; dropped it and submitting again");
      await ctx.cache.delete(cacheKey);
      return answerSubmission(ctx, request, true);
    }
    throw error;
  }
  // Only a new run reads the payload: a coalesced one reads its first submission's.
  if (outcome.disposition !== "queued") await payload?.discard();
  // A replay repeats an answer: it runs nothing and must cost nothing.
  if (outcome.disposition === "replayed") await giveBack();
  else if (!groupCommitted) {
    ctx.kickRelay();
    // Awaited, so the caller's very next list shows this scan (read-your-writes); the cache-worker does
    // it again on scan.created, which also covers a cache Redis that is down right now.
    await ctx.cache
      .invalidateTags([userTag(principal.userId)])
      .catch((error: unknown) => request.log.warn({ err: error }, "could not invalidate the user's cached lists"));
  }
  ctx.metrics.scanRequests.inc({ scan_type: prepared.type.name, status: outcome.disposition, tier: principal.tier });
  return { headers, outcome };
}
