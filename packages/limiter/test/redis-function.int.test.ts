import { readFileSync } from "node:fs";
import { LuaScript } from "@secapi/toolkit";
import { TestRedisServer, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { RateLimiter } from "../src/index.js";
import { checkScriptArgs, parseCheckReply } from "../src/limiter-scripts.js";
import { RedisFunction, RedisFunctionCaller } from "../src/redis-function.js";
import { planWindows } from "../src/window-plan.js";
import { subjectKey } from "../src/window-key.js";
import { connect, hour, minute, month } from "./limiter-fixtures.js";

// Servers of this file's own: the tests flush their functions and rename commands away.
const servers: TestRedisServer[] = [];
const clients: Redis[] = [];

async function serverWith(args: string[] = []): Promise<{ redis: Redis; probe: Redis }> {
  const server = await TestRedisServer.start(args);
  servers.push(server);
  const redis = await connect(server.url());
  const probe = await connect(server.url());
  clients.push(redis, probe);
  return { redis, probe };
}

afterEach(() => {
  for (const client of clients.splice(0)) client.disconnect();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
});

const windows = [minute(20), hour(100), month(1000)];

async function calls(probe: Redis, command: string): Promise<number> {
  const match = new RegExp(`cmdstat_${command.replace("|", "\\|")}:calls=(\\d+)`).exec(await probe.info("commandstats"));
  return Number(match?.[1] ?? 0);
}

async function libraries(probe: Redis): Promise<string[]> {
  const list = (await probe.function("LIST")) as unknown[][];
  return list.map((library) => String(library[1]));
}

describe("check.lua as a Redis Function", () => {
  it("loads the library on first use and again after FUNCTION FLUSH, counting every check once", async () => {
    const { redis, probe } = await serverWith();
    const limiter = new RateLimiter({ redis, failMode: "closed", timeoutMs: 5000 });
    const subject = `user:${uniqueId()}`;
    const first = await Promise.all(Array.from({ length: 8 }, () => limiter.check({ subject, windows })));
    expect(first.every((d) => d.outcome === "allowed")).toBe(true);
    expect(await libraries(probe)).toEqual([expect.stringMatching(/^secapi_check_[0-9a-f]{16}$/)]);

    await probe.function("FLUSH");
    const second = await Promise.all(Array.from({ length: 20 }, () => limiter.check({ subject, windows })));
    // 8 + 20 against a limit of 20: exactly 12 of the second batch fit, whatever the reload did.
    expect(second.filter((d) => d.outcome === "allowed")).toHaveLength(12);
    expect(await libraries(probe)).toHaveLength(1);
    expect(await calls(probe, "evalsha")).toBe(0);
    limiter.close();
  });

  it("falls back to EVALSHA where the server has no FUNCTION or FCALL, with the same counts", async () => {
    const { redis, probe } = await serverWith(["--rename-command", "FCALL", "", "--rename-command", "FUNCTION", ""]);
    const limiter = new RateLimiter({ redis, failMode: "closed", timeoutMs: 5000 });
    const subject = `user:${uniqueId()}`;
    const decisions = await Promise.all(Array.from({ length: 30 }, () => limiter.check({ subject, windows })));
    expect(decisions.filter((d) => d.outcome === "allowed")).toHaveLength(20);
    expect(decisions.filter((d) => d.outcome === "denied")).toHaveLength(10);
    expect(decisions.every((d) => d.outcome !== "unavailable")).toBe(true);
    // The 30 checks were issued together, so they share a call (a batch works as a script too).
    expect(await calls(probe, "evalsha")).toBeGreaterThanOrEqual(1);
    expect(await calls(probe, "fcall")).toBe(0);
    limiter.close();
  });

  it("shares one subject's state between the function and the script (processes of both kinds side by side)", async () => {
    const { redis: functions } = await serverWith();
    const port = new URL(servers.at(-1)?.url() ?? "").port;
    const scriptsOnly = await connect(`redis://127.0.0.1:${port}`);
    clients.push(scriptsOnly);
    // A client on which FCALL is refused by ACL takes the EVALSHA path on the same server.
    await functions.acl("SETUSER", "scripts", "on", "nopass", "~*", "+@all", "-fcall", "-function");
    await scriptsOnly.auth("scripts", "any");
    const a = new RateLimiter({ redis: functions, failMode: "closed", timeoutMs: 5000 });
    const b = new RateLimiter({ redis: scriptsOnly, failMode: "closed", timeoutMs: 5000 });
    const subject = `user:${uniqueId()}`;
    const decisions = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).check({ subject, windows })));
    expect(decisions.filter((d) => d.outcome === "allowed")).toHaveLength(20);
    const used = decisions.flatMap((d) => (d.outcome === "allowed" ? [d.windows[2]?.used] : []));
    expect(used.sort((x, y) => (x ?? 0) - (y ?? 0))).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    a.close();
    b.close();
  });

  describe("deleting other versions' libraries", () => {
    const checkUrl = new URL("../src/lua/check.lua", import.meta.url);
    /** check.lua as another version of the code would ship it: same behaviour, another SHA, another library. */
    const version = (tag: string) =>
      new RedisFunction(
        new LuaScript(checkUrl, (url) =>
          readFileSync(url, "utf8").replace("\nlocal function loadRecord", `\n-- version ${tag}\nlocal function loadRecord`),
        ),
      );
    const current = version("current");
    const prefix = () => `rf:${uniqueId()}`;
    const roomy = [minute(1000), hour(1000), month(1000)];

    /** One check of `roomy` through `caller`: the minute window's usage after it. */
    async function checkVia(caller: RedisFunctionCaller, keyPrefix: string, subject: string): Promise<number> {
      const nowMs = Date.now();
      const plans = planWindows(keyPrefix, subject, roomy, nowMs);
      const reply = parseCheckReply(
        await caller.call([subjectKey(keyPrefix, subject)], checkScriptArgs(plans, nowMs, 1, false, false, [])),
        3,
      );
      if (!reply.evaluation) throw new Error("no month counter should need a seed here");
      return reply.evaluation.used[0] ?? -1;
    }

    it("deletes them at a process's first load, while a process of an older version keeps counting exactly", async () => {
      const { redis, probe } = await serverWith();
      const keyPrefix = prefix();
      const subject = "user:shared";
      const oldVersion = version("old");
      const old = new RedisFunctionCaller(probe, oldVersion);
      expect(await checkVia(old, keyPrefix, subject)).toBe(1);
      // An abandoned version nobody calls any more, and a library of another script that must stay.
      await probe.function("LOAD", version("abandoned").library);
      await probe.function("LOAD", "#!lua name=secapi_other\nredis.register_function('secapi_other', function() return 1 end)\n");
      expect(await libraries(probe)).toHaveLength(3);

      // The old process keeps checking while the new one starts, loads its library and deletes the others.
      const newer = new RedisFunctionCaller(redis, current);
      const oldLoop = async () => {
        const used: number[] = [];
        for (let i = 0; i < 10; i++) used.push(await checkVia(old, keyPrefix, subject));
        return used;
      };
      const [oldUsed, newUsed] = await Promise.all([
        oldLoop(),
        Promise.all(Array.from({ length: 30 }, () => checkVia(newer, keyPrefix, subject))),
      ]);
      // Every check counted once, whichever library (or EVALSHA) ran it.
      expect([...oldUsed, ...newUsed].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i + 2));
      expect(await checkVia(old, keyPrefix, subject)).toBe(42);
      expect(await calls(probe, "function|delete")).toBe(2);
      // The old process loaded its own library again; the abandoned one is gone, the other script's stays.
      expect((await libraries(probe)).sort()).toEqual([current.name, oldVersion.name, "secapi_other"].sort());

      // Neither deletes again after its first use: the two versions do not take turns deleting each other's.
      await probe.function("DELETE", current.name);
      expect(await checkVia(newer, keyPrefix, subject)).toBe(43);
      expect(await checkVia(old, keyPrefix, subject)).toBe(44);
      expect((await libraries(probe)).sort()).toEqual([current.name, oldVersion.name, "secapi_other"].sort());
      expect(await calls(probe, "function|delete")).toBe(3);
      expect(await calls(probe, "evalsha")).toBe(0);
    });

    it("runs a call by EVALSHA when its library is deleted again between the load and the FCALL", async () => {
      const { redis, probe } = await serverWith();
      // The client as this caller sees it, with another version's process deleting the library right after each load.
      const racing = new Proxy(redis, {
        get(target, property, receiver) {
          if (property === "function") {
            return async (...args: [string, ...string[]]) => {
              const result = await target.call("FUNCTION", ...args);
              if (args[0] === "LOAD") await probe.function("DELETE", current.name);
              return result;
            };
          }
          const value: unknown = Reflect.get(target, property, receiver);
          return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
      const caller = new RedisFunctionCaller(racing, current);
      const keyPrefix = prefix();
      expect(await checkVia(caller, keyPrefix, "user:racing")).toBe(1);
      expect(await checkVia(caller, keyPrefix, "user:racing")).toBe(2);
      expect(await calls(probe, "evalsha")).toBe(2);
      expect(await calls(probe, "fcall")).toBe(4);
    });
  });
});
