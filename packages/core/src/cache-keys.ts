import { hash } from "node:crypto";
import type { InputKey } from "@secapi/db";

/** docs/API.md "Cache keys and tags": the namespace of every key SecAPI writes in production. */
export const CACHE_PREFIX = "secapi";

export type ParsedCacheKey = { kind: "scan"; scanId: string } | { kind: "result"; key: InputKey } | { kind: "other" };

/**
 * Every cache key SecAPI writes, in one place, under one prefix (`secapi` in production; tests give each
 * run its own so that parallel runs never meet).
 */
export class CacheKeys {
  constructor(readonly prefix: string = CACHE_PREFIX) {}

  /** A scan result by content address; private types carry their owner, so users never share one. */
  result(key: InputKey): string {
    return key.ownerId === null
      ? `${this.prefix}:result:${key.scanType}:${key.inputHash}`
      : `${this.prefix}:result:${key.scanType}:${key.ownerId}:${key.inputHash}`;
  }

  /** One scan as the API renders it. */
  scan(scanId: string): string {
    return `${this.prefix}:scan:${scanId}`;
  }

  /** Something of one user's: a list page, stats. `part` names it, e.g. `scans:<query hash>`. */
  user(userId: string, part: string): string {
    return `${this.prefix}:user:${userId}:${part}`;
  }

  /** The principal behind an API key, by the key's SHA-256. */
  auth(keyHash: string): string {
    return `${this.prefix}:auth:${keyHash}`;
  }

  /** Reads back what result/scan built, so warming knows how to reload a key. */
  parse(key: string): ParsedCacheKey {
    if (!key.startsWith(`${this.prefix}:`)) return { kind: "other" };
    const parts = key.slice(this.prefix.length + 1).split(":");
    if (parts[0] === "scan" && parts.length === 2 && parts[1]) return { kind: "scan", scanId: parts[1] };
    if (parts[0] === "result" && parts[1]) {
      if (parts.length === 3 && parts[2]) return { kind: "result", key: { scanType: parts[1], ownerId: null, inputHash: parts[2] } };
      if (parts.length === 4 && parts[2] && parts[3]) {
        return { kind: "result", key: { scanType: parts[1], ownerId: parts[2], inputHash: parts[3] } };
      }
    }
    return { kind: "other" };
  }

  /**
   * What an image tag names now (`docker.io/library/nginx:latest` → its digest), looked up at submission: shared by
   * every user, since every pull uses the operator's logins.
   */
  imageTag(reference: string): string {
    return `${this.prefix}:image-tag:${reference}`;
  }

  /**
   * What one image layer holds, by the summary format's version and the layer's digest: shared by every image and
   * user with that layer (no user data); workers of two versions in a rollout do not overwrite each other's.
   */
  layerSummary(version: number, digest: string): string {
    return `${this.prefix}:layer:v${version}:${digest}`;
  }
}

/** A short stable hash of a query (filters, cursor) for list keys. */
export function queryHash(query: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.keys(query)
      .sort()
      .map((k) => [k, query[k] ?? null]),
  );
  return hash("sha256", canonical, "hex").slice(0, 16);
}

export const userTag = (userId: string) => `user:${userId}`;
/**
 * The tag of a user's cached principals (auth entries). Apart from `user:<id>`, which every scan of the user
 * invalidates: a submission drops the user's lists, not their identity. Tier changes and revocations drop both.
 */
export const principalTag = (userId: string) => `principal:${userId}`;
/** Everything cached about a user: their principals, lists, stats and usage. */
export const userAndPrincipalTags = (userId: string) => [userTag(userId), principalTag(userId)];
export const scanTag = (scanId: string) => `scan:${scanId}`;
export const packageTag = (ecosystem: string, name: string) => `pkg:${ecosystem}/${name}`;
