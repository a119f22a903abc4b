import { TestRedisServer, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { RateLimiter } from "../src/index.js";
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
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await probe.info("commandstats"));
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
    expect(await calls(probe, "evalsha")).toBeGreaterThanOrEqual(30);
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
});
