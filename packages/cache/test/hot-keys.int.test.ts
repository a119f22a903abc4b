import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId, waitFor } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { HotKeyTracker } from "../src/hot-keys.js";

const redis = new Redis(TEST_REDIS_URL);
const prefix = uniqueId("hotkeys");
afterAll(async () => {
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
});

const tracker = (name: string, options: { flushIntervalMs?: number; maxPendingKeys?: number } = {}) =>
  new HotKeyTracker({ redis, setKey: `${prefix}:${name}`, ...options });

describe("HotKeyTracker", () => {
  it("counts reads in memory and adds them to the shared set on its schedule", async () => {
    const hotKeys = tracker("schedule", { flushIntervalMs: 50 });
    for (let i = 0; i < 7; i++) hotKeys.touch("a");
    hotKeys.touch("b");
    expect((await hotKeys.scores(["a", "b"])).get("a")).toBe(0);
    await waitFor(async () => (await hotKeys.scores(["a"])).get("a") === 7, { what: "the scheduled flush" });
    expect(await hotKeys.top(2)).toEqual([
      { key: "a", score: 7 },
      { key: "b", score: 1 },
    ]);
    await hotKeys.close();
  });

  it("adds up the counts of several processes", async () => {
    const [one, two] = [tracker("shared"), tracker("shared")];
    one.touch("k");
    two.touch("k");
    two.touch("k");
    await Promise.all([one.close(), two.close()]);
    expect((await one.scores(["k"])).get("k")).toBe(3);
  });

  it("flushes early once it holds maxPendingKeys distinct keys", async () => {
    const hotKeys = tracker("bounded", { flushIntervalMs: 60_000, maxPendingKeys: 3 });
    hotKeys.touch("x");
    hotKeys.touch("y");
    expect((await hotKeys.scores(["x"])).get("x")).toBe(0);
    hotKeys.touch("z");
    await waitFor(async () => (await hotKeys.scores(["x"])).get("x") === 1, { what: "the early flush" });
    await hotKeys.close();
  });

  it("drops its counts instead of throwing when Redis is unreachable", async () => {
    const offline = new Redis({
      port: 1,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    const hotKeys = new HotKeyTracker({ redis: offline, setKey: `${prefix}:offline` });
    hotKeys.touch("k");
    await expect(hotKeys.close()).resolves.toBeUndefined();
    offline.disconnect();
  });
});
