import { packageTag, inputKeyOf, resolveScanType, scanTag, userAndPrincipalTags, userTag } from "@secapi/core";
import { findResultsTagged } from "@secapi/db";
import type { SecapiEvent } from "@secapi/events";
import type { CacheWorkerContext } from "./context.js";
import { notifyFindingsChanged } from "./findings-notifications.js";
import { rerunStoredResult } from "./rerun-result.js";
import { warmKey } from "./warm.js";
import { queueWatchedReruns } from "./watched-reruns.js";

export interface EventOutcome {
  invalidated: number;
  warmed: number;
  /** advisories.updated: results queued for re-run; scan.findings_changed: webhook notices queued. Absent: none. */
  queued?: number;
}

/**
 * Applies one event to the cache (docs/API.md "Events"). Every step is an invalidation or a reload from
 * Postgres, so a redelivered event does no harm.
 */
export async function handleEvent(ctx: CacheWorkerContext, event: SecapiEvent): Promise<EventOutcome> {
  switch (event.type) {
    case "scan.created":
      return { invalidated: await ctx.cache.invalidateTags([userTag(event.data.userId)]), warmed: 0 };
    case "scan.completed":
    case "scan.failed": {
      const { scanId, userId, type, inputHash } = event.data;
      const invalidated = await ctx.cache.invalidateTags([scanTag(scanId), userTag(userId)]);
      let warmed = (await warmKey(ctx, ctx.keys.scan(scanId))) ? 1 : 0;
      const scanType = resolveScanType(type);
      // So that the next identical submission is a HIT.
      if (event.type === "scan.completed" && scanType && (await warmKey(ctx, ctx.keys.result(inputKeyOf(scanType, userId, inputHash)))))
        warmed++;
      return { invalidated, warmed };
    }
    case "scan.deleted":
      return { invalidated: await ctx.cache.invalidateTags([scanTag(event.data.scanId), userTag(event.data.userId)]), warmed: 0 };
    case "user.tier_changed":
    case "api_key.revoked":
      return { invalidated: await ctx.cache.invalidateTags(userAndPrincipalTags(event.data.userId)), warmed: 0 };
    case "advisories.updated": {
      const { ecosystem, packages } = event.data;
      const tags = packages.map((name) => packageTag(ecosystem, name));
      const invalidated = await ctx.cache.invalidateTags(tags);
      // Every result someone watches by webhook is re-run (in chunks, by RERUN_QUEUE's workers); the hottest here
      // and now, so their next read is a hit (a chunk skips a result already current).
      const watched = await queueWatchedReruns(ctx, event.id, tags);
      const affected = await findResultsTagged(ctx.db, tags);
      const keys = affected.map((row) => ctx.keys.result({ scanType: row.scan_type, ownerId: row.owner_id, inputHash: row.input_hash }));
      const scores = await ctx.hotKeys.scores(keys);
      const hottest = keys
        .filter((key) => (scores.get(key) ?? 0) > 0)
        .sort((a, b) => (scores.get(b) ?? 0) - (scores.get(a) ?? 0))
        .slice(0, ctx.rerunLimit);
      let warmed = 0;
      for (const key of hottest) {
        const parsed = ctx.keys.parse(key);
        if (parsed.kind === "result" && (await rerunStoredResult(ctx, parsed.key))) warmed++;
      }
      return { invalidated, warmed, ...(watched.size > 0 && { queued: watched.size }) };
    }
    case "scan.findings_changed": {
      const { invalidated, queued } = await notifyFindingsChanged(ctx, event);
      return { invalidated, warmed: 0, ...(queued > 0 && { queued }) };
    }
  }
}
