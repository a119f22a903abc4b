import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { LuaScriptHeaderError } from "./errors/lua-script-header-error.js";
import { LuaScriptKeysError } from "./errors/lua-script-keys-error.js";
import { type LuaArg, type LuaClient, LuaScript } from "./lua-script.js";

const DIR = "file:///scripts/";

/** Loads `file` from in-memory sources (paths relative to DIR). */
function load(file: string, files: Record<string, string>): LuaScript {
  return new LuaScript(new URL(file, DIR), (url) => {
    const text = files[url.href.slice(DIR.length)];
    if (text === undefined) throw new Error(`no file ${url.href}`);
    return text;
  });
}

const UNLOCK = `--[[
  Releases a lock only if the caller holds it.
  KEYS[1]  lock
  ARGV[1]  token
  Returns  1 if released, 0 if not
]]
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0
`;

describe("LuaScript", () => {
  it("loads a script with its header, names it and hashes the source it sends", () => {
    const script = load("unlock.lua", { "unlock.lua": UNLOCK });
    expect(script.name).toBe("unlock");
    expect(script.source).toBe(UNLOCK);
    expect(script.sha).toBe(createHash("sha1").update(UNLOCK).digest("hex"));
    expect(script.keys).toEqual({ count: 1, variadic: false });
  });

  it("replaces each include line by the part from includes/, in order", () => {
    const files = {
      "main.lua": `-- Uses two parts.\n-- KEYS[1] a key\n-- Returns a number\n--- @include "a.lua"\n--- @include "b.lua"\nreturn b(KEYS[1])\n`,
      "includes/a.lua": `local function a(k) return 1 end\n`,
      "includes/b.lua": `-- Needs: a.lua\nlocal function b(k) return a(k) + 1 end\n`,
    };
    const script = load("main.lua", files);
    expect(script.source).toBe(
      `-- Uses two parts.\n-- KEYS[1] a key\n-- Returns a number\nlocal function a(k) return 1 end\n\n-- Needs: a.lua\nlocal function b(k) return a(k) + 1 end\n\nreturn b(KEYS[1])\n`,
    );
  });

  it("refuses an include whose Needs line names a part not included before it", () => {
    const files = {
      "main.lua": `-- KEYS[1] a key\n-- Returns a number\n--- @include "b.lua"\n--- @include "a.lua"\nreturn b(KEYS[1])\n`,
      "includes/a.lua": `local function a(k) return 1 end\n`,
      "includes/b.lua": `-- Needs: a.lua\nlocal function b(k) return a(k) + 1 end\n`,
    };
    expect(() => load("main.lua", files)).toThrow(/include b.lua needs a.lua included before it/);
  });

  it("checks the header against the code: declared KEYS, ARGV and a Returns line", () => {
    const bad = {
      "no-header.lua": `return redis.call("GET", KEYS[1])\n`,
      "undeclared-key.lua": `-- KEYS[1] entry\n-- Returns the value\nreturn redis.call("GET", KEYS[2])\n`,
      "undeclared-argv.lua": `-- KEYS[1] entry\n-- Returns the value\nreturn redis.call("SET", KEYS[1], ARGV[1])\n`,
      "count-keys.lua": `-- KEYS[1] entry\n-- Returns the count\nreturn #KEYS\n`,
      "no-returns.lua": `-- KEYS[1] entry\nreturn redis.call("GET", KEYS[1])\n`,
    };
    for (const file of Object.keys(bad)) {
      expect(() => load(file, bad), file).toThrow(LuaScriptHeaderError);
    }
    // A comment in the code is not code.
    const commented = {
      "ok.lua": `-- KEYS[1] entry\n-- Returns the value\nlocal key = KEYS[1] -- not KEYS[2] nor ARGV\n--[[ nor ARGV[1] ]]\nreturn redis.call("GET", key)\n`,
    };
    expect(load("ok.lua", commented).keys).toEqual({ count: 1, variadic: false });
  });

  it("reads KEYS[n..] as any number of keys from the n-th on, none included", () => {
    const files = {
      "del.lua": `--[[\n  KEYS[1]  fence\n  KEYS[2..] entries\n  ARGV[1] prefix\n  Returns the count\n]]\nlocal n = 0\nfor i = 2, #KEYS do n = n + redis.call("DEL", KEYS[i]) end\nreturn n\n`,
    };
    expect(load("del.lua", files).keys).toEqual({ count: 1, variadic: true });
  });

  it("runs by EVALSHA, falls back to EVAL on NOSCRIPT only, and checks the number of KEYS", async () => {
    const script = load("unlock.lua", { "unlock.lua": UNLOCK });
    const calls: string[] = [];
    let cached = false;
    const client: LuaClient = {
      evalsha: async (sha: string, numberOfKeys: number, ...rest: LuaArg[]) => {
        calls.push(`evalsha ${sha === script.sha} ${numberOfKeys} ${rest.join(",")}`);
        if (!cached) throw new Error("NOSCRIPT No matching script.");
        return 1;
      },
      eval: async (source: string, numberOfKeys: number, ...rest: LuaArg[]) => {
        calls.push(`eval ${source === script.source} ${numberOfKeys} ${rest.join(",")}`);
        cached = true;
        return 0;
      },
    };
    expect(await script.run(client, ["lock"], ["token"])).toBe(0);
    expect(await script.run(client, ["lock"], ["token"])).toBe(1);
    expect(calls).toEqual(["evalsha true 1 lock,token", "eval true 1 lock,token", "evalsha true 1 lock,token"]);

    await expect(script.run(client, [], ["token"])).rejects.toBeInstanceOf(LuaScriptKeysError);
    await expect(script.run(client, ["a", "b"], ["token"])).rejects.toBeInstanceOf(LuaScriptKeysError);

    const failing: LuaClient = { ...client, evalsha: async () => Promise.reject(new Error("READONLY")) };
    await expect(script.run(failing, ["lock"], ["token"])).rejects.toThrow("READONLY");
  });
});
