import { uniqueId } from "@secapi/testing";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { LuaScript } from "../src/index.js";

const redis = new Redis("redis://127.0.0.1:6379/0");
const keys: string[] = [];

afterAll(async () => {
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe("LuaScript against Redis", () => {
  it("runs a script file with its include: by EVAL the first time (unknown to the server), by EVALSHA after", async () => {
    // A comment of its own makes the source one the server has never seen, as after a restart or SCRIPT FLUSH.
    const marker = uniqueId();
    const script = new LuaScript(new URL("./lua/greet.lua", import.meta.url), (url) => `${readFileSync(url, "utf8")}-- ${marker}\n`);
    const key = `secapi:test:toolkit:${marker}`;
    keys.push(key);
    expect(await redis.script("EXISTS", script.sha)).toEqual([0]);
    expect(await script.run(redis, [key], ["ada"])).toBe("hello ada");
    expect(await redis.script("EXISTS", script.sha)).toEqual([1]);
    expect(await script.run(redis, [key], ["grace"])).toBe("hello grace");
  });
});
