import { TestRedisServer, waitFor } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Cache, CacheTimeoutError } from "../src/index.js";
import { cacheFixture, connect, sleep } from "./cache-fixture.js";

// A Redis of this file's own, stalled with SIGSTOP (TestRedisServer.stall): it keeps its connections and answers
// nothing until the test has seen every call answer.
let server: TestRedisServer;
let fx: ReturnType<typeof cacheFixture>;

beforeAll(async () => {
  server = await TestRedisServer.start();
  fx = cacheFixture(server.url());
});
afterEach(() => fx.closeInstances());
afterAll(async () => {
  await fx.cleanup();
  await server.stop();
});

// The stall lasts until every call has answered, or this long at most: a call that waited for Redis answers only
// after it, and fails the test, however loaded the machine is.
const STALL_MS = 20_000;
// Above the default, so that a loaded machine does not time calls out while the test sets up and checks recovery.
const TIMEOUT_MS = 100;
const FENCE_MS = 3 * TIMEOUT_MS;
// Far longer than the recovery check's deadline: a cache that waited for its cooldown to recover would fail it.
const COOLDOWN_MS = 600_000;
const RECOVERY_MS = 30_000;
const CALLS = 50;
// The later waves start once the fence's last confirmation is older than fenceMs: L1 may not serve them.
const WAVE_STARTS_MS = [0, FENCE_MS + TIMEOUT_MS, FENCE_MS + 4 * TIMEOUT_MS];

/** Counts the commands a connection sends (a spy on the real client). */
function countCommands(redis: Redis): () => number {
  let sent = 0;
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (...args: Parameters<Redis["sendCommand"]>) => {
    sent++;
    return send(...args);
  };
  return () => sent;
}

interface Timed {
  kind: string;
  ms: number;
  beforeEnd: boolean;
  status: string;
  valueOk: boolean;
}

describe("a Redis that stops answering under concurrent load", () => {
  it(
    `${CALLS} concurrent reads at a time, while it stalls, all answer long before the stall ends; afterwards the cache recovers at once`,
    { timeout: 180_000 },
    async () => {
      // Commands each instance had sent when it first saw a call time out during the stall.
      const timedOutAt: (number | undefined)[] = [undefined, undefined];
      let stalling = false;
      const counters: (() => number)[] = [];
      const instance = (i: number) =>
        fx.instance({
          timeoutMs: TIMEOUT_MS,
          fenceMs: FENCE_MS,
          // A follower must not sit out its lock wait while Redis stalls.
          lockWaitMs: 2 * STALL_MS,
          breaker: { failureThreshold: 3, cooldownMs: COOLDOWN_MS },
          hooks: {
            onError: (_operation, error) => {
              if (stalling && error instanceof CacheTimeoutError) timedOutAt[i] ??= counters[i]?.();
            },
          },
        });
      const a = await instance(0);
      const b = await instance(1);
      counters.push(countCommands(a.redis), countCommands(b.redis));
      const caches: Cache[] = [a.cache, b.cache];
      const valueOf = (key: string) => ({ loaded: key });
      const options = { ttl: 600 };
      const cachedKeys = Array.from({ length: 10 }, () => fx.key());
      for (const key of cachedKeys) {
        await waitFor(
          async () => {
            await a.cache.getOrLoad(key, async () => valueOf(key), options);
            return (await b.cache.get(key)).status === "HIT";
          },
          { what: "the key cached in both instances" },
        );
      }

      // A holds the stampede lock of `held` with a load that waits; B's call for it is a follower, polling.
      const held = fx.key();
      let releaseHolder!: () => void;
      const holder = a.cache.getOrLoad(
        held,
        () => new Promise<void>((resolve) => (releaseHolder = resolve)).then(() => valueOf(held)),
        options,
      );
      await waitFor(async () => (await fx.admin.exists(`${fx.prefix}:__cache:lock:${held}`)) === 1, { what: "A to take the lock" });
      const follower = b.cache.getOrLoad(held, async () => valueOf(held), options);

      await waitFor(() => caches.every((cache) => cache.stats().connected), { what: "both instances connected" });
      const stall = server.stall(STALL_MS);
      const isOver = stall.isOver;
      stalling = true;
      const stalledAt = performance.now();
      const followerDone = follower.then((result) => ({ ms: performance.now() - stalledAt, beforeEnd: !isOver(), result }));

      const timed = async (kind: string, call: () => Promise<{ status: string; valueOk: boolean }>): Promise<Timed> => {
        const started = performance.now();
        const { status, valueOk } = await call();
        return { kind, ms: performance.now() - started, beforeEnd: !isOver(), status, valueOk };
      };
      const wave = () => {
        const sharedMissing = fx.key();
        return Promise.all(
          Array.from({ length: CALLS }, (_, i) => {
            const cache = caches[i % 2] as Cache;
            const cachedKey = cachedKeys[i % cachedKeys.length] as string;
            const loadOf = (key: string) => async () => {
              const { value, status } = await cache.getOrLoad(key, async () => valueOf(key), options);
              return { status, valueOk: value.loaded === key };
            };
            switch (i % 6) {
              case 0:
                return timed("get", async () => {
                  const { value, status } = await cache.get<{ loaded: string }>(cachedKey);
                  return { status, valueOk: value === undefined || value.loaded === cachedKey };
                });
              case 1:
                return timed("getOrLoad cached", loadOf(cachedKey));
              case 2:
                return timed("getOrLoad distinct", loadOf(fx.key()));
              case 3:
                return timed("getOrLoad shared", loadOf(sharedMissing));
              case 4:
                return timed("ttl", async () => {
                  const ttl = await cache.ttl(cachedKey);
                  return { status: ttl === -2 ? "BYPASS" : "HIT", valueOk: true };
                });
              default:
                return timed("refresh", async () => {
                  const { value, written } = await cache.refresh(cachedKey, async () => valueOf(cachedKey), options);
                  return { status: written ? "WRITTEN" : "BYPASS", valueOk: value.loaded === cachedKey };
                });
            }
          }),
        );
      };
      const waves: Timed[][] = [];
      for (const startMs of WAVE_STARTS_MS) {
        await sleep(Math.max(0, stalledAt + startMs - performance.now()));
        waves.push(await wave());
      }
      const sentWhenDone = counters.map((count) => count());
      const follow = await followerDone;
      await stall.end();
      const calls = waves.flat();
      const slowest = Math.max(...calls.map((c) => c.ms));
      console.log(
        `[cache] ${calls.length} calls during a stall (ended once they had all answered): slowest ${slowest.toFixed(1)} ms; per wave ${waves.map((w) => Math.max(...w.map((c) => c.ms)).toFixed(1)).join(", ")} ms; follower ${follow.ms.toFixed(1)} ms after the stall began`,
      );

      expect(calls.every((c) => c.beforeEnd)).toBe(true);
      expect(slowest).toBeLessThan(STALL_MS / 4);
      expect(calls.every((c) => c.valueOk)).toBe(true);
      // Past the first wave the fence cannot have been confirmed: nothing is served from L1 or L2, nothing written.
      expect(
        waves
          .slice(1)
          .flat()
          .every((c) => c.status === "BYPASS"),
      ).toBe(true);
      expect(follow).toMatchObject({ beforeEnd: true, result: { value: valueOf(held), status: "BYPASS" } });
      expect(follow.ms).toBeLessThan(STALL_MS / 4);
      // Once a call had timed out, neither instance sent anything more: nothing queued behind the stalled server.
      for (const [i, sent] of sentWhenDone.entries()) {
        expect(timedOutAt[i]).toBeDefined();
        expect(sent).toBe(timedOutAt[i]);
      }

      releaseHolder();
      expect((await holder).value).toEqual(valueOf(held));
      // Recovery needs no cooldown: Redis answering the stalled calls makes the breaker probe at once.
      for (const cache of caches) {
        await waitFor(
          async () => (await cache.getOrLoad(cachedKeys[0] as string, async () => valueOf("reloaded"), options)).status === "HIT",
          {
            timeoutMs: RECOVERY_MS,
            what: "hits after the stall",
          },
        );
        expect(cache.stats().connected).toBe(true);
      }
      const fresh = fx.key();
      await waitFor(
        async () => {
          await a.cache.getOrLoad(fresh, async () => valueOf(fresh), options);
          return (await b.cache.get(fresh)).status === "HIT";
        },
        { what: "a new entry written after the stall" },
      );
    },
  );

  it("start() on a connection still coming up (no offline queue, as the API connects) serves its first reads", async () => {
    const redis = new Redis(server.url(), { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    redis.on("error", () => undefined);
    expect(redis.status).not.toBe("ready");
    const { cache } = await fx.instance({ redis, subscriber: connect(server.url()) });
    const key = fx.key();
    expect((await cache.getOrLoad(key, async () => "loaded", { ttl: 60 })).status).toBe("MISS");
    expect((await cache.getOrLoad(key, async () => "again", { ttl: 60 })).status).toBe("HIT");
    expect(cache.stats()).toMatchObject({ connected: true, errors: 0 });
  });
});
