import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { LuaScriptHeaderError } from "./errors/lua-script-header-error.js";
import { LuaScriptKeysError } from "./errors/lua-script-keys-error.js";

/** A KEYS or ARGV element as Redis takes it. */
export type LuaArg = string | number | Buffer;

/** The two commands a script needs; an ioredis `Redis` or `Cluster` fits. */
export interface LuaClient {
  evalsha(sha: string, numberOfKeys: number, ...keysAndArgs: LuaArg[]): Promise<unknown>;
  eval(source: string, numberOfKeys: number, ...keysAndArgs: LuaArg[]): Promise<unknown>;
}

/** The KEYS a script's header declares: exactly `count`, or at least `count` when it ends with `KEYS[count+1..]`. */
export interface DeclaredKeys {
  count: number;
  variadic: boolean;
}

const INCLUDE = /^--- @include "([\w.-]+)"$/gm;
const NEEDS = /^-- Needs:? ([\w.-]+(?:, [\w.-]+)*)\.?$/m;

/** Reads a file as text; the loader's only I/O, so tests can hand in sources. */
export type LuaReader = (url: URL) => string;

const readText: LuaReader = (url) => readFileSync(url, "utf8");

/**
 * A Lua script kept as a file (`name.lua`, shipped next to the package's compiled code), with each
 * `--- @include "part.lua"` line replaced by `includes/part.lua` from the script's own folder. Runs by EVALSHA
 * and falls back to EVAL when the server's script cache is empty (after a restart or a SCRIPT FLUSH).
 *
 * The header (the leading comment) says what the script takes and returns, and loading checks it against the
 * code: every `KEYS[n]` the script reads is declared (`KEYS[2..]` declares any number of keys from the second on,
 * none included, and is needed for `#KEYS`), `ARGV` is declared if read, and a `Returns` line is there. An include whose header says
 * `-- Needs: other.lua` must come after that other include. `run` checks the number of KEYS against the header.
 *
 * @example
 * const unlock = new LuaScript(new URL("./lua/unlock.lua", import.meta.url));
 * await unlock.run(redis, [lockKey], [token]);
 */
export class LuaScript {
  /** The file's name without `.lua`. */
  readonly name: string;
  /** The source sent to Redis, includes expanded. */
  readonly source: string;
  readonly sha: string;
  readonly keys: DeclaredKeys;

  constructor(url: URL, read: LuaReader = readText) {
    const file = url.pathname.slice(url.pathname.lastIndexOf("/") + 1);
    this.name = file.replace(/\.lua$/, "");
    const own = read(url);
    const { header, body } = splitHeader(own);
    if (header === undefined) throw new LuaScriptHeaderError(file, "no header comment saying what it takes and returns");
    this.keys = checkHeader(file, header, body);
    const included: string[] = [];
    this.source = own.replace(INCLUDE, (_, part: string) => {
      const text = read(new URL(`./includes/${part}`, url));
      if (/^--- @include /m.test(text)) throw new LuaScriptHeaderError(file, `include ${part} includes another part: list both in ${file}`);
      for (const needed of neededParts(text)) {
        if (!included.includes(needed)) throw new LuaScriptHeaderError(file, `include ${part} needs ${needed} included before it`);
      }
      included.push(part);
      return text;
    });
    this.sha = createHash("sha1").update(this.source).digest("hex");
  }

  /** Sends the script at once (before any await, which keeps it ordered after the caller's earlier commands). */
  async run(redis: LuaClient, keys: readonly LuaArg[], args: readonly LuaArg[]): Promise<unknown> {
    const { count, variadic } = this.keys;
    if (keys.length < count || (!variadic && keys.length !== count)) {
      throw new LuaScriptKeysError(this.name, variadic ? `at least ${count}` : String(count), keys.length);
    }
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error | undefined)?.message).startsWith("NOSCRIPT")) throw error;
      return redis.eval(this.source, keys.length, ...keys, ...args);
    }
  }
}

/** The leading comment (a `--[[ ]]` block or a run of `--` lines) and the code after it. */
function splitHeader(source: string): { header: string | undefined; body: string } {
  const text = source.trimStart();
  if (text.startsWith("--[[")) {
    const end = text.indexOf("]]");
    if (end === -1) return { header: undefined, body: text };
    return { header: text.slice(4, end), body: text.slice(end + 2) };
  }
  const lines = text.split("\n");
  let n = 0;
  while (n < lines.length && /^--(?!- @include)/.test(lines[n] ?? "")) n++;
  if (n === 0) return { header: undefined, body: text };
  return { header: lines.slice(0, n).join("\n"), body: lines.slice(n).join("\n") };
}

/** Code without comments, so that only what the script does is checked. */
function code(body: string): string {
  return body.replace(/--\[\[[\s\S]*?\]\]/g, "").replace(/--.*$/gm, "");
}

function checkHeader(file: string, header: string, body: string): DeclaredKeys {
  let count = 0;
  let variadic = false;
  for (const [, n, dots] of header.matchAll(/\bKEYS\[(\d+)(\.\.)?\]/g)) {
    // `KEYS[n..]` is any number of keys from n on, none included.
    count = Math.max(count, dots ? Number(n) - 1 : Number(n));
    if (dots) variadic = true;
  }
  const used = code(body);
  for (const [, n] of used.matchAll(/\bKEYS\[(\d+)\]/g)) {
    if (Number(n) > count && !variadic) throw new LuaScriptHeaderError(file, `reads KEYS[${n}], which its header does not declare`);
  }
  if (/#KEYS\b/.test(used) && !variadic) throw new LuaScriptHeaderError(file, "reads #KEYS: declare the variable keys as KEYS[n..]");
  if (/\bARGV\b/.test(used) && !/\bARGV\b/.test(header))
    throw new LuaScriptHeaderError(file, "reads ARGV, which its header does not declare");
  if (!/\bReturns\b/.test(header)) throw new LuaScriptHeaderError(file, "its header does not say what it returns");
  return { count, variadic };
}

/** The parts an include says it needs (`-- Needs: a.lua, b.lua`). */
function neededParts(include: string): string[] {
  const needs = NEEDS.exec(include);
  if (!needs?.[1]) return [];
  return needs[1].split(", ").map((part) => (part.endsWith(".lua") ? part : `${part}.lua`));
}
