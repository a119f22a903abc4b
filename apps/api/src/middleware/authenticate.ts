import { hashApiKey } from "@secapi/core";
import { type Principal, findPrincipalByKeyHash, type Db } from "@secapi/db";
import type { Request, RequestHandler } from "express";
import { forbidden, unauthorized } from "../http/http-error.js";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- express types are augmented through this namespace
  namespace Express {
    interface Request {
      /** Set by `authenticate` for a valid key. */
      principal?: Principal;
    }
  }
}

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

/** Requires a valid, unrevoked key; 401 otherwise. */
export function authenticate(db: Db): RequestHandler {
  return async (req, _res, next) => {
    const key = presentedKey(req);
    if (!key) return next(unauthorized());
    // Keys are long; anything absurd is rejected before hashing or a query.
    if (key.length > 256) return next(unauthorized("Invalid API key"));
    const principal = await findPrincipalByKeyHash(db, hashApiKey(key));
    if (!principal) return next(unauthorized("Invalid or revoked API key"));
    req.principal = principal;
    next();
  };
}

/** Requires the admin role; 403 otherwise. */
export const requireAdmin: RequestHandler = (req, _res, next) => {
  next(req.principal?.role === "admin" ? undefined : forbidden());
};

/** The authenticated principal; only call behind `authenticate`. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}
