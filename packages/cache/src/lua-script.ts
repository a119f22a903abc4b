import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Cluster, Redis } from "ioredis";

const INCLUDE = /^--- @include "([a-z-]+)"$/gm;

function readLua(path: string): string {
  return readFileSync(new URL(`./lua/${path}.lua`, import.meta.url), "utf8");
}

/**
 * A Lua script from `src/lua/<name>.lua` (copied to `dist/lua` by the build), with its
 * `--- @include "<part>"` lines replaced by `lua/includes/<part>.lua`. Runs by EVALSHA and falls back to
 * EVAL once per server when the script cache is empty (after a restart or a SCRIPT FLUSH).
 */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(readonly name: string) {
    this.source = readLua(name).replace(INCLUDE, (_, part: string) => readLua(`includes/${part}`));
    this.sha = createHash("sha1").update(this.source).digest("hex");
  }

  /** Sends the script at once (before any await, which keeps it ordered after the caller's earlier commands). */
  async run(redis: Redis | Cluster, keys: readonly string[], args: readonly (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** Every script the cache runs, loaded once per process. */
export const SCRIPTS = {
  fenceRead: new LuaScript("fence-read"),
  setEntry: new LuaScript("set-entry"),
  deleteEntries: new LuaScript("delete-entries"),
  invalidateTags: new LuaScript("invalidate-tags"),
  unlock: new LuaScript("unlock"),
  recordInvalidation: new LuaScript("record-invalidation"),
  checkInvalidated: new LuaScript("check-invalidated"),
  addToTag: new LuaScript("add-to-tag"),
  deleteEntry: new LuaScript("delete-entry"),
};
