import { storeAdvisoryRecords } from "@secapi/core";
import { Router } from "express";
import { parseAdvisoryBody } from "../advisories/advisory-body.js";
import type { ApiContext } from "../context.js";
import { LargeJsonBody } from "../middleware/json-body.js";

/** `POST /api/v1/admin/advisories`: an array of OSV advisories, all stored or none. */
export function adminAdvisoriesRouter(ctx: ApiContext): Router {
  const router = Router();

  router.post("/advisories", async (req, res) => {
    const { records, received } =
      req.body instanceof LargeJsonBody ? await ctx.bodyThreads.parseAdvisoryBody(req.body.text) : parseAdvisoryBody(req.body);
    const { stored, changedTags } = await storeAdvisoryRecords(ctx.db, records);
    ctx.kickRelay();
    if (stored.revision !== null) ctx.advisoryRevisions.observe(stored.revision);
    // Before answering, so that the importer's next read anywhere sees the change; the cache-worker does it
    // again on `advisories.updated`, which covers a cache Redis that is down right now.
    await ctx.cache
      .invalidateTags(changedTags)
      .catch((error: unknown) => req.log.warn({ err: error }, "could not drop the cached results of the changed packages"));
    res.json({ received, ...stored });
  });

  return router;
}
