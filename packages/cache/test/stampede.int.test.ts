import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { TEST_REDIS_URL } from "@secapi/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { GENEROUS_TIMEOUT_MS, cacheFixture, sleep } from "./cache-fixture.js";

const fx = cacheFixture();
afterEach(() => fx.closeInstances());
afterAll(() => fx.cleanup());

/** A loader that takes `ms` and counts its runs in Redis, so runs in every instance and process add up. */
function countedLoader(loadsKey: string, value: string, ms = 300) {
  return async () => {
    await fx.admin.incr(loadsKey);
    await sleep(ms);
    return { loadedBy: value };
  };
}

describe("stampede protection", () => {
  it("100 concurrent getOrLoad for a missing key across two instances: the loader runs once, everyone gets its value", async () => {
    // 100 calls at once on a loaded machine: a Redis reply can take longer than the usual generous timeout, and a
    // bypassed call loads on its own. This test is about the lock, not the timeout.
    const a = await fx.instance({ timeoutMs: 10_000 });
    const b = await fx.instance({ timeoutMs: 10_000 });
    const key = fx.key("result");
    const loadsKey = `${key}:loads`;
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).cache.getOrLoad(key, countedLoader(loadsKey, i % 2 ? "a" : "b"), { ttl: 60 })),
    );
    expect(await fx.admin.get(loadsKey)).toBe("1");
    expect(new Set(results.map((r) => JSON.stringify(r.value))).size).toBe(1);
    const statuses = results.map((r) => r.status);
    // The holder's process shares its load (MISS); the other waited and read the holder's value (HIT).
    expect(statuses.filter((s) => s === "MISS")).toHaveLength(50);
    expect(statuses.filter((s) => s === "HIT")).toHaveLength(50);
  });

  it("across two processes (a child running the built package): the loader runs once", async () => {
    const childScript = fileURLToPath(new URL("./fixtures/stampede-child.mjs", import.meta.url));
    const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
    if (!existsSync(dist)) throw new Error(`${dist} is missing: build the package first (pnpm test does)`);
    const key = fx.key("result");
    const loadsKey = `${key}:loads`;
    const child = spawn(process.execPath, [childScript], {
      env: {
        ...process.env,
        REDIS_URL: TEST_REDIS_URL,
        PREFIX: fx.prefix,
        KEY: key,
        CALLS: "50",
        LOADS_KEY: loadsKey,
        TIMEOUT_MS: String(GENEROUS_TIMEOUT_MS),
      },
      stdio: ["pipe", "pipe", "inherit"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const lines = createInterface({ input: child.stdout });
    const output: string[] = [];
    const ready = new Promise<void>((resolve) =>
      lines.on("line", (line) => {
        output.push(line);
        if (line === "ready") resolve();
      }),
    );
    try {
      await ready;
      const parent = await fx.instance();
      child.stdin.end("go\n");
      const parentResults = await Promise.all(
        Array.from({ length: 50 }, () => parent.cache.getOrLoad(key, countedLoader(loadsKey, "parent"), { ttl: 60 })),
      );
      expect(await exited).toBe(0);
      const childResults = JSON.parse(output.at(-1) as string) as { value: unknown; status: string }[];
      expect(childResults).toHaveLength(50);
      expect(await fx.admin.get(loadsKey)).toBe("1");
      const values = new Set([...parentResults, ...childResults].map((r) => JSON.stringify(r.value)));
      expect(values.size).toBe(1);
      console.log(`[cache] 2 processes x 50 callers: 1 load by ${[...values][0]}`);
    } finally {
      child.kill();
    }
  });

  it("followers wait at most lockWaitMs for a slow holder, then load themselves", async () => {
    const holder = await fx.instance();
    const follower = await fx.instance({ lockWaitMs: 200 });
    const key = fx.key();
    const loadsKey = `${key}:loads`;
    // The holder's load lasts until the follower has answered: a follower that waited for it would never
    // answer, and could not load the value itself.
    let finishHolder!: () => void;
    const holding = new Promise<void>((resolve) => (finishHolder = resolve));
    const slow = holder.cache.getOrLoad(
      key,
      async () => {
        await fx.admin.incr(loadsKey);
        await holding;
        return { loadedBy: "holder" };
      },
      { ttl: 60 },
    );
    await expect.poll(() => fx.admin.get(loadsKey), { timeout: 10_000 }).toBe("1");
    const started = performance.now();
    const followed = await follower.cache.getOrLoad(key, countedLoader(loadsKey, "follower", 0), { ttl: 60 });
    const waited = performance.now() - started;
    console.log(`[cache] a follower of a holder that does not finish loaded itself after ${waited.toFixed(0)} ms (lockWaitMs 200)`);
    expect(followed).toEqual({ value: { loadedBy: "follower" }, status: "MISS" });
    expect(waited).toBeGreaterThanOrEqual(190);
    finishHolder();
    await slow;
  });

  it("when the holder's loader fails, a follower takes the lock over and loads", async () => {
    const holder = await fx.instance();
    const follower = await fx.instance();
    const key = fx.key();
    let release: (() => void) | undefined;
    const failing = holder.cache.getOrLoad(
      key,
      () => new Promise<string>((_, reject) => (release = () => reject(new Error("db timeout")))),
      { ttl: 60 },
    );
    await expect.poll(() => release !== undefined, { timeout: 10_000 }).toBe(true);
    const followed = follower.cache.getOrLoad(key, async () => "follower", { ttl: 60 });
    await sleep(30);
    release?.();
    await expect(failing).rejects.toThrow("db timeout");
    expect(await followed).toEqual({ value: "follower", status: "MISS" });
  });
});
