import { advisoryFeedStatus, packageTag } from "@secapi/core";
import { findAdvisoryByIdOrAlias } from "@secapi/db";
import { Router } from "express";
import type { ApiContext } from "../context.js";
import { REVALIDATE, setCachePolicy } from "../http/cache-control.js";
import { sendFreshWithEtag, sendWithEtag } from "../http/conditional.js";
import { badRequest, notFound } from "../http/http-error.js";

const ADVISORY_ID = /^[\x21-\x7e]{1,200}$/;

/** An advisory changes only through an import or a sync, which drops it by its packages' tags. */
const ADVISORY_TTL_SECONDS = 3600;

/** `GET /api/v1/advisories/status` and `GET /api/v1/advisories/:id`: what the advisory database holds. */
export function advisoriesRouter(ctx: ApiContext): Router {
  const router = Router();

  // Read live: a few rows, and an operator checking on a sync wants the latest.
  router.get("/advisories/status", async (req, res) => {
    const status = await advisoryFeedStatus(ctx.db, ctx.config.advisorySync);
    res.set("X-Cache-Status", "BYPASS");
    setCachePolicy(res, REVALIDATE);
    sendFreshWithEtag(req, res, status);
  });

  // Cached under its own key and tagged with the packages it names, so `advisories.updated` drops it like the
  // results; an id that is not found is not cached (a sync may add it any moment).
  router.get("/advisories/:id", async (req, res) => {
    const id = req.params.id;
    // OSV ids and aliases (GHSA-…, CVE-…, PYSEC-…) are printable ASCII; anything else cannot name one.
    if (!id || !ADVISORY_ID.test(id))
      throw badRequest("invalid_id", "id must be an advisory id or alias (printable ASCII, at most 200 characters)");
    const key = `${ctx.keys.prefix}:advisory:${encodeURIComponent(id)}`;
    const { value, status } = await ctx.cache.getOrLoad(key, () => findAdvisoryByIdOrAlias(ctx.db, id).then((found) => found ?? null), {
      ttl: ADVISORY_TTL_SECONDS,
      tagsOf: (found) => (found ? found.packages.map((p) => packageTag(p.ecosystem, p.name)) : []),
      ttlOf: (found) => (found ? ADVISORY_TTL_SECONDS : 0),
    });
    if (!value) throw notFound("Advisory");
    res.set("X-Cache-Status", status);
    setCachePolicy(res, REVALIDATE);
    sendWithEtag(req, res, value.data);
  });

  return router;
}
