import { keyPatternProblem } from "@secapi/core";
import type { Cluster, Redis } from "ioredis";
import { TimeoutError, withTimeout } from "@secapi/toolkit";
import { Router } from "express";
import type { ApiContext } from "../context.js";
import { badRequest, unavailable } from "../http/http-error.js";
import { requestPrincipal, requireAdmin } from "../middleware/authenticate.js";

const INFO_TIMEOUT_MS = 200;

/** `INFO` fields as numbers; undefined while the cache Redis does not answer. */
async function redisInfo(redis: Redis | Cluster): Promise<{ used_memory: number; connected_clients: number } | undefined> {
  try {
    const text = await withTimeout((redis as Redis).info(), INFO_TIMEOUT_MS, () => new TimeoutError("cache Redis INFO", INFO_TIMEOUT_MS));
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(text)?.[1] ?? 0);
    return { used_memory: field("used_memory"), connected_clients: field("connected_clients") };
  } catch {
    return undefined;
  }
}

const TAG = /^(user|scan|pkg):[^\s]{1,300}$/;

/** The cache routes (docs/API.md "Cache routes"); flush, tag and pattern deletion are for admins. */
export function cacheRouter(ctx: ApiContext): Router {
  const router = Router();

  router.get("/cache/stats", async (req, res) => {
    const stats = ctx.cache.stats();
    // The cache Redis's memory and clients describe the deployment, not the caller's use of it: admins only.
    const admin = requestPrincipal(req).role === "admin";
    const [keys, info] = await Promise.all([ctx.cache.countKeys(), admin ? redisInfo(ctx.cacheRedis) : undefined]);
    res.json({
      enabled: stats.enabled,
      connected: stats.connected,
      hits: stats.hits,
      misses: stats.misses,
      stale_hits: stats.staleHits,
      sets: stats.sets,
      errors: stats.errors,
      hit_rate: stats.hitRate,
      keys: keys ?? null,
      l1: { entries: stats.l1.entries, bytes: stats.l1.bytes },
      by_key_type: Object.fromEntries(
        Object.entries(stats.byKeyType).map(([type, counts]) => [
          type,
          { hits: counts.hits, misses: counts.misses, stale_hits: counts.staleHits, sets: counts.sets },
        ]),
      ),
      ...(admin && { redis_info: info ?? { used_memory: null, connected_clients: null } }),
    });
  });

  router.get("/cache/keys", async (_req, res) => {
    const keys = await ctx.cache.countKeys();
    if (keys === undefined) throw unavailable("cache_unavailable", "The cache Redis does not answer");
    res.json({ keys });
  });

  // SCAN on every master, bounded to one key type (keyPatternProblem); every API process's L1 drops the keys too.
  router.delete("/cache/keys", requireAdmin, async (req, res) => {
    const pattern = typeof req.query.pattern === "string" ? req.query.pattern : "";
    const problem = keyPatternProblem(pattern, ctx.keys.prefix);
    if (problem) throw badRequest("invalid_pattern", problem);
    res.json({ deleted_keys: await ctx.cache.deleteByPattern(pattern) });
  });

  router.get("/cache/health", async (_req, res) => {
    const latency = await ctx.cache.ping();
    res.status(latency === undefined ? 503 : 200).json({
      status: latency === undefined ? "disconnected" : "connected",
      latency_ms: latency === undefined ? null : Number(latency.toFixed(3)),
    });
  });

  router.delete("/cache/flush", requireAdmin, async (_req, res) => {
    res.json({ deleted_keys: await ctx.cache.flush() });
  });

  // A wildcard, so that `pkg:npm/lodash` and `pkg:npm/@scope/name` work with or without %2F.
  router.delete("/cache/tags/*tag", requireAdmin, async (req, res) => {
    const segments = (req.params as { tag?: string[] | string }).tag ?? "";
    const tag = Array.isArray(segments) ? segments.join("/") : segments;
    if (!TAG.test(tag)) throw badRequest("invalid_tag", "tag must look like user:<id>, scan:<id> or pkg:<ecosystem>/<name>");
    res.json({ deleted_keys: await ctx.cache.invalidateTags([tag]) });
  });

  return router;
}
