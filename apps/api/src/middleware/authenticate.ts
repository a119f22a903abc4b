import type { CacheLoadOptions } from "@secapi/cache";
import { hashApiKey, principalTag } from "@secapi/core";
import { type Principal, findPrincipalByKeyHash } from "@secapi/db";
import { boundedMemo } from "@secapi/toolkit";
import type { Request, RequestHandler } from "express";
import type { ApiContext } from "../context.js";
import { forbidden, unauthorized } from "../http/http-error.js";
import { STALE_IF_ERROR_SECONDS, staleIfDatabaseDown } from "../http/stale-if-database-down.js";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- express types are augmented through this namespace
  namespace Express {
    interface Request {
      /** Set by `identify` for a valid key. */
      principal?: Principal;
      /** Why there is no principal: no key, or a key that is unknown or revoked. */
      authProblem?: "missing" | "invalid";
    }
  }
}

/** How long a key's principal may be served from the cache; a tier change or revocation invalidates it sooner. */
export const PRINCIPAL_TTL_SECONDS = 60;

/** The key a request presents, from `Authorization: Bearer` or `X-API-Key`. */
export function presentedKey(req: Request): string | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1];
  }
  const header = req.headers["x-api-key"];
  return typeof header === "string" && header.length > 0 ? header : undefined;
}

/** Distinct keys whose hashes are remembered; past it the memo starts afresh (a flood of made-up keys costs only hashing). */
const KEY_HASH_MEMO_SIZE = 10_000;

/** `hashApiKey`, remembered per presented key: the same few keys call again and again, and SHA-256 is on every request. */
const keyHashOf = boundedMemo(KEY_HASH_MEMO_SIZE, hashApiKey);

/**
 * How a principal is cached: fresh for PRINCIPAL_TTL_SECONDS, and kept STALE_IF_ERROR_SECONDS longer to answer
 * while Postgres is unavailable — without it, every caller whose entry outlived the TTL would get 503s for the
 * rest of an outage, cached reads included. Serving it then is safe: a revocation or tier change needs Postgres
 * and drops the entry by its principal tag, so an entry that is there is valid. Unknown keys are not cached
 * (a key created a moment ago works at once).
 */
const PRINCIPAL_CACHING: CacheLoadOptions<Principal | null> = {
  ttl: PRINCIPAL_TTL_SECONDS,
  ttlOf: (principal) => (principal ? PRINCIPAL_TTL_SECONDS : 0),
  staleIfError: STALE_IF_ERROR_SECONDS,
  tagsOf: (principal) => (principal ? [principalTag(principal.userId)] : []),
};

/** What `principalOf` needs: the cache, its key names and Postgres. */
export type PrincipalLookup = Pick<ApiContext, "cache" | "keys" | "db">;

/** The principal of a key hash, read through the cache (tagged with its principal tag, so tier changes and revocations drop it). */
export async function principalOf(ctx: PrincipalLookup, keyHash: string): Promise<Principal | undefined> {
  const key = ctx.keys.auth(keyHash);
  // Within the TTL, an entry also answers when the first cache read was bypassed (a slow cache Redis) and
  // Postgres is away; past it, getOrLoad serves it from its stale-if-error period when the load fails.
  const { value } = await staleIfDatabaseDown(
    ctx.cache,
    key,
    async () => {
      const loaded = await ctx.cache.getOrLoad(key, async () => (await findPrincipalByKeyHash(ctx.db, keyHash)) ?? null, PRINCIPAL_CACHING);
      return { value: loaded.value ?? undefined, status: loaded.status };
    },
    () => true,
  );
  return value;
}

/**
 * Works out who is calling without refusing anyone yet: requests without a valid key are still rate
 * limited (per client IP) before `requireAuth` answers 401.
 */
export function identify(ctx: ApiContext): RequestHandler {
  return async (req, _res, next) => {
    const key = presentedKey(req);
    if (!key) {
      req.authProblem = "missing";
      return next();
    }
    // Keys are long; anything absurd is rejected before hashing or a lookup.
    const principal = key.length <= 256 ? await principalOf(ctx, keyHashOf(key)) : undefined;
    if (principal) req.principal = principal;
    else req.authProblem = "invalid";
    next();
  };
}

/** Requires a valid, unrevoked key; 401 otherwise. */
export const requireAuth: RequestHandler = (req, _res, next) => {
  if (req.principal) return next();
  next(req.authProblem === "invalid" ? unauthorized("Invalid or revoked API key") : unauthorized());
};

/** Requires the admin role; 403 otherwise. */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  next(req.principal?.role === "admin" ? undefined : forbidden());
};

/** The authenticated principal; only call behind `requireAuth`. */
export function requestPrincipal(req: Request): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}
