import { LuaScript, LuaScriptHeaderError } from "@secapi/toolkit";
import { describe, expect, it } from "vitest";
import { RedisFunction } from "./redis-function.js";

const header = "--[[\nKEYS[1] a key\nARGV[1] a value\nReturns the value\n]]\n";
const scriptOf = (body: string) => new LuaScript(new URL("file:///lua/echo.lua"), () => header + body);

describe("RedisFunction", () => {
  it("registers the script's entry function in a library named after the script's SHA", () => {
    const script = scriptOf("local function echo(KEYS, ARGV)\n  return ARGV[1]\nend\n\nreturn echo(KEYS, ARGV)\n");
    const fn = new RedisFunction(script);
    expect(fn.name).toBe(`secapi_echo_${script.sha.slice(0, 16)}`);
    expect(fn.library.startsWith(`#!lua name=${fn.name}\n${header}`)).toBe(true);
    expect(fn.library).toContain("local function echo(KEYS, ARGV)");
    expect(fn.library).not.toContain("return echo(KEYS, ARGV)");
    expect(fn.library.endsWith(`redis.register_function('${fn.name}', echo)\n`)).toBe(true);
  });

  it("names each version of a script differently, so that two versions can be loaded side by side", () => {
    const one = new RedisFunction(scriptOf("local function echo(KEYS, ARGV)\n  return ARGV[1]\nend\nreturn echo(KEYS, ARGV)\n"));
    const two = new RedisFunction(scriptOf("local function echo(KEYS, ARGV)\n  return KEYS[1]\nend\nreturn echo(KEYS, ARGV)\n"));
    expect(one.name).not.toBe(two.name);
  });

  it("refuses a script that does not end by calling its entry function", () => {
    expect(() => new RedisFunction(scriptOf("return ARGV[1]\n"))).toThrow(LuaScriptHeaderError);
  });
});
