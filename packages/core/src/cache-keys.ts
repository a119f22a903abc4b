import { createHash } from "node:crypto";
import type { InputKey } from "@secapi/db";

/** DESIGN.md "Cache": every key and tag SecAPI writes, in one place. */
export const CACHE_PREFIX = "secapi";

/** A scan result by content address; private types carry their owner, so users never share one. */
export function resultKey(key: InputKey): string {
  return key.ownerId === null
    ? `${CACHE_PREFIX}:result:${key.scanType}:${key.inputHash}`
    : `${CACHE_PREFIX}:result:${key.scanType}:${key.ownerId}:${key.inputHash}`;
}

/** One scan as the API renders it. */
export function scanKey(scanId: string): string {
  return `${CACHE_PREFIX}:scan:${scanId}`;
}

/** Something of one user's: a list page, stats, usage. `part` names it, e.g. `scans:<query hash>`. */
export function userKey(userId: string, part: string): string {
  return `${CACHE_PREFIX}:user:${userId}:${part}`;
}

/** The principal behind an API key, by the key's SHA-256. */
export function authKey(keyHash: string): string {
  return `${CACHE_PREFIX}:auth:${keyHash}`;
}

/** A short stable hash of a query (filters, cursor) for list keys. */
export function queryHash(query: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(query).sort().map((k) => [k, query[k] ?? null]));
  return createHash("sha256").update(canonical).digest("hex").slice(0, 16);
}

export const userTag = (userId: string) => `user:${userId}`;
export const scanTag = (scanId: string) => `scan:${scanId}`;
export const packageTag = (ecosystem: string, name: string) => `pkg:${ecosystem}/${name}`;

export type ParsedCacheKey =
  | { kind: "scan"; scanId: string }
  | { kind: "result"; key: InputKey }
  | { kind: "other" };

/** Reads back what resultKey/scanKey built, so warming knows how to reload a key. */
export function parseCacheKey(key: string): ParsedCacheKey {
  const parts = key.split(":");
  if (parts[0] !== CACHE_PREFIX) return { kind: "other" };
  if (parts[1] === "scan" && parts.length === 3 && parts[2]) return { kind: "scan", scanId: parts[2] };
  if (parts[1] === "result" && parts[2]) {
    if (parts.length === 4 && parts[3]) return { kind: "result", key: { scanType: parts[2], ownerId: null, inputHash: parts[3] } };
    if (parts.length === 5 && parts[3] && parts[4]) {
      return { kind: "result", key: { scanType: parts[2], ownerId: parts[3], inputHash: parts[4] } };
    }
  }
  return { kind: "other" };
}
