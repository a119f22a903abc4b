import { parseAdvisories, storeAdvisories } from "@secapi/core";
import { Router } from "express";
import { z } from "zod";
import type { ApiContext } from "../context.js";
import { unprocessable } from "../http/http-error.js";
import { parseOr400 } from "../http/validation.js";

const bodySchema = z.array(z.unknown()).min(1, "send at least one advisory").max(10_000, "at most 10,000 per request; use `pnpm secapi advisories import` for dumps");

/** `POST /api/v1/admin/advisories`: an array of OSV advisories, all stored or none. */
export function adminAdvisoriesRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post("/advisories", async (req, res) => {
    const items = parseOr400(bodySchema, req.body, "request body (an array of OSV advisories)");
    const { advisories, invalid } = parseAdvisories(items.map((json, index) => ({ source: `[${index}]`, json })));
    if (invalid.length > 0) {
      throw unprocessable("advisory_invalid", `${invalid.length} of ${items.length} advisories are not valid OSV; nothing was stored`, {
        issues: invalid.slice(0, 50),
      });
    }
    const { stored, changedTags } = await storeAdvisories(ctx.db, advisories);
    ctx.kickRelay();
    if (stored.revision !== null) ctx.advisoryRevisions.observe(stored.revision);
    // Before answering, so that the importer's next read anywhere sees the change; the cache-worker does it
    // again on `advisories.updated`, which covers a cache Redis that is down right now.
    await ctx.cache.invalidateTags(changedTags).catch((error: unknown) =>
      req.log.warn({ err: error }, "could not drop the cached results of the changed packages"),
    );
    res.json({ received: items.length, ...stored });
  });

  return router;
}
