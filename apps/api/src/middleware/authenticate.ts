import { hashApiKey, principalTag } from "@secapi/core";
import { type Principal, findPrincipalByKeyHash } from "@secapi/db";
import { boundedMemo } from "@secapi/toolkit";
import type { Request, RequestHandler } from "express";
import type { ApiContext } from "../context.js";
import { forbidden, unauthorized } from "../http/http-error.js";
import { staleIfDatabaseDown } from "../http/stale-if-database-down.js";

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

/** The principal of a key hash, read through the cache (tagged with its principal tag, so tier changes and revocations drop it). */
async function principalOf(ctx: ApiContext, keyHash: string): Promise<Principal | undefined> {
  const key = ctx.keys.auth(keyHash);
  // While Postgres is away, a principal the cache holds still authenticates even when the first cache read was
  // bypassed: a revocation or tier change needs Postgres and drops the entry, so one that is there is valid.
  const { value } = await staleIfDatabaseDown(
    ctx.cache,
    key,
    async () => {
      const cached = await ctx.cache.get<Principal>(key);
      if (cached.value) return cached;
      const principal = await findPrincipalByKeyHash(ctx.db, keyHash);
      if (principal) await ctx.cache.set(key, principal, { ttl: PRINCIPAL_TTL_SECONDS, tags: [principalTag(principal.userId)] });
      return { value: principal, status: cached.status };
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
