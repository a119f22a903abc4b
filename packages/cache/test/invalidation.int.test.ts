import { performance } from "node:perf_hooks";
import { waitFor } from "@secapi/testing";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { Cache } from "../src/index.js";
import { type Instance, cacheFixture, connect, tick } from "./cache-fixture.js";

const fx = cacheFixture();
afterEach(() => fx.closeInstances());
afterAll(() => fx.cleanup());

const FENCE_MS = 100;
// The reader's fence in the pub/sub tests: this long, it cannot explain an invalidation seen sooner; only the
// message can. Latencies are printed (`pnpm bench cache` measures them); the test asserts the message did it.
const PUBSUB_FENCE_MS = 60_000;

/** An instance whose hits report their tier, so a test can tell an L1 hit from an L2 one. */
async function observedInstance(options: Parameters<typeof fx.instance>[0] = {}) {
  const tiers: string[] = [];
  const instance = await fx.instance({ ...options, hooks: { onHit: (_, tier) => tiers.push(tier) } });
  return { ...instance, lastTier: () => tiers.at(-1) };
}

/** Reads until `reader` serves `key` from its L1 (so the test below really exercises an L1 copy). */
async function untilServedFromL1(reader: Awaited<ReturnType<typeof observedInstance>>, key: string, value: unknown) {
  const deadline = performance.now() + 15_000;
  for (;;) {
    const result = await reader.cache.get(key);
    if (result.value === value && reader.lastTier() === "l1") return;
    if (performance.now() > deadline) throw new Error(`never served ${key} from L1 (last: ${JSON.stringify(result)})`);
    await tick();
  }
}

/**
 * Reads `key` from `reader` in a tight loop after an invalidation committed at `committedAt` (taken after
 * the invalidating call resolved, so later than the commit). Fails if any read *started* more than
 * `boundMs` after it still returns `old` — the fence's guarantee, with no margin, and sound however loaded
 * the machine: it compares when a read began, not how long it took. Resolves the latency (start of the
 * first read that no longer returned `old`); that may exceed `boundMs` by the length of the read before it.
 */
async function latencyUntilGone(reader: Cache, key: string, old: unknown, committedAt: number, boundMs: number): Promise<number> {
  for (;;) {
    const startedAt = performance.now();
    const { value } = await reader.get(key);
    if (value !== old) return startedAt - committedAt;
    if (startedAt - committedAt > boundMs)
      throw new Error(`still served the invalidated value ${(startedAt - committedAt).toFixed(1)} ms after the invalidation`);
    await tick();
  }
}

type Invalidate = (cache: Cache, key: string, tag: string) => Promise<unknown>;
const invalidations: [string, Invalidate][] = [
  ["delete", (cache, key) => cache.delete(key)],
  ["invalidateTags", (cache, _, tag) => cache.invalidateTags([tag])],
  ["deleteByPattern", (cache, key) => cache.deleteByPattern(`${key.slice(0, key.lastIndexOf(":"))}:*`)],
  ["set (a new value)", (cache, key, tag) => cache.set(key, "new", { ttl: 60, tags: [tag] })],
  ["flush", (cache) => cache.flush()],
];

/**
 * Five times: `writer` stores a tagged value, `reader` serves it from its L1, `invalidate` runs on `writer`; how long
 * until `reader` stopped serving it each time (failing past `boundMs`).
 */
async function invalidationLatencies(
  writer: Cache,
  reader: Awaited<ReturnType<typeof observedInstance>>,
  invalidate: Invalidate,
  boundMs: number,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < 5; i++) {
    const key = `${fx.key("scan")}:${i}`;
    const tag = `scan:${key}`;
    await writer.set(key, "old", { ttl: 60, tags: [tag] });
    await untilServedFromL1(reader, key, "old");
    await invalidate(writer, key, tag);
    latencies.push(await latencyUntilGone(reader.cache, key, "old", performance.now(), boundMs));
  }
  return latencies;
}

describe("cross-instance invalidation", () => {
  it.each(invalidations)("%s reaches the other instance's L1 by pub/sub within milliseconds", async (name, invalidate) => {
    const writer = await fx.instance();
    // A fence this long cannot explain a fast invalidation: only the message can.
    const reader = await observedInstance({ fenceMs: PUBSUB_FENCE_MS });
    const latencies = await invalidationLatencies(writer.cache, reader, invalidate, PUBSUB_FENCE_MS / 10);
    console.log(`[cache] ${name} via pub/sub: other L1 stopped serving after ${latencies.map((ms) => ms.toFixed(2)).join(", ")} ms`);
  });

  it.each(invalidations)(
    "%s with the other instance's subscriber gone: its L1 stops within fenceMs all the same",
    async (name, invalidate) => {
      const writer = await fx.instance();
      const subscriber = connect();
      const reader = await observedInstance({ fenceMs: FENCE_MS, subscriber });
      subscriber.disconnect();
      const latencies = await invalidationLatencies(writer.cache, reader, invalidate, FENCE_MS);
      console.log(
        `[cache] ${name} without the message: other L1 stopped serving after ${latencies.map((ms) => ms.toFixed(1)).join(", ")} ms (fenceMs ${FENCE_MS})`,
      );
      expect(subscriber.status).toBe("end");
    },
  );

  it("a subscriber killed by the server (it reconnects, missing what was published meanwhile) is covered by the fence", async () => {
    const writer = await fx.instance();
    const subscriber = connect();
    const id = Number(await subscriber.client("ID"));
    const reader = await observedInstance({ fenceMs: FENCE_MS, subscriber });
    const key = fx.key("scan");
    await writer.cache.set(key, "old", { ttl: 60 });
    await untilServedFromL1(reader, key, "old");
    await fx.admin.client("KILL", "ID", String(id));
    await writer.cache.delete(key);
    const latency = await latencyUntilGone(reader.cache, key, "old", performance.now(), FENCE_MS);
    console.log(`[cache] delete during a subscriber reconnect: other L1 stopped serving after ${latency.toFixed(1)} ms`);

    // Once ioredis has resubscribed, the messages reach the reader again (counted on its subscriber: whether
    // the fence or the message came first is a matter of timing).
    const channel = `${fx.prefix}:invalidate`;
    await expect
      .poll(async () => ((await fx.admin.pubsub("NUMSUB", channel)) as [string, number])[1], { timeout: 10_000 })
      .toBeGreaterThanOrEqual(2);
    let delivered = 0;
    subscriber.on("message", () => delivered++);
    await writer.cache.set(key, "old", { ttl: 60 });
    await untilServedFromL1(reader, key, "old");
    const before = delivered;
    await writer.cache.delete(key);
    await latencyUntilGone(reader.cache, key, "old", performance.now(), FENCE_MS);
    await expect.poll(() => delivered, { timeout: 10_000 }).toBeGreaterThan(before);
  });

  it("an instance whose fence history was trimmed or flushed away drops its whole L1", async () => {
    const writer = await fx.instance();
    const subscriber = connect();
    const reader = await observedInstance({ fenceMs: FENCE_MS, subscriber });
    subscriber.disconnect();
    const keep = fx.key("scan");
    await writer.cache.set(keep, "old", { ttl: 60 });
    await untilServedFromL1(reader, keep, "old");
    // Someone runs FLUSHDB-like cleanup of the fence (or the LRU evicts it): the history is gone.
    await fx.admin.del(`${fx.prefix}:__cache:fence`);
    await fx.admin.set(keep, "garbage-after-eviction");
    // Fails if a read begun past the bound still served it.
    await latencyUntilGone(reader.cache, keep, "old", performance.now(), FENCE_MS);
  });
});

describe("writes racing an invalidation", () => {
  async function slowLoad(instance: Instance, key: string, tags: string[]) {
    let release: ((value: string) => void) | undefined;
    const pending = instance.cache.getOrLoad(key, () => new Promise<string>((resolve) => (release = resolve)), { ttl: 60, tags });
    await expect.poll(() => release !== undefined, { timeout: 10_000 }).toBe(true);
    return { pending, finish: (value: string) => release?.(value) };
  }

  it.each([
    ["by tag", (cache: Cache, key: string) => cache.invalidateTags([`tag:${key}`])],
    ["by key", (cache: Cache, key: string) => cache.delete(key)],
  ])("a value loaded before an invalidation %s is not written to either tier", async (_, invalidate) => {
    const loader = await fx.instance();
    const other = await fx.instance();
    const key = fx.key("user");
    const load = await slowLoad(loader, key, [`tag:${key}`]);
    await invalidate(other.cache, key);
    load.finish("read before the mutation");
    expect(await load.pending).toEqual({ value: "read before the mutation", status: "MISS" });
    expect(await fx.admin.exists(key)).toBe(0);
    expect(loader.cache.stats().l1.entries).toBe(0);
    expect(await loader.cache.getOrLoad(key, async () => "after", { ttl: 60 })).toEqual({ value: "after", status: "MISS" });
  });

  it("a load started after this instance's own invalidation is written (read-your-writes)", async () => {
    const instance = await fx.instance();
    const key = fx.key("user");
    await instance.cache.getOrLoad(key, async () => "before", { ttl: 60, tags: ["own-tag"] });
    await instance.cache.invalidateTags(["own-tag"]);
    expect(await instance.cache.getOrLoad(key, async () => "after", { ttl: 60, tags: ["own-tag"] })).toEqual({
      value: "after",
      status: "MISS",
    });
    expect(await fx.admin.exists(key)).toBe(1);
    expect(await instance.cache.getOrLoad(key, async () => "never", { ttl: 60, tags: ["own-tag"] })).toEqual({
      value: "after",
      status: "HIT",
    });
  });

  it("refresh writes a reloaded value and drops other instances' old copies, unless the key was invalidated while it loaded", async () => {
    const warmer = await fx.instance();
    const reader = await fx.instance();
    const key = fx.key("scan");
    await reader.cache.getOrLoad(key, async () => "v1", { ttl: 60, tags: [`tag:${key}`] });

    expect(await warmer.cache.refresh(key, async () => "v2", { ttl: 60, tags: [`tag:${key}`] })).toEqual({ value: "v2", written: true });
    await expect.poll(async () => (await reader.cache.get(key)).value, { timeout: 10_000 }).toBe("v2");

    let release: ((value: string) => void) | undefined;
    const racing = warmer.cache.refresh(key, () => new Promise<string>((resolve) => (release = resolve)), {
      ttl: 60,
      tags: [`tag:${key}`],
    });
    await expect.poll(() => release !== undefined, { timeout: 10_000 }).toBe(true);
    await reader.cache.invalidateTags([`tag:${key}`]);
    release?.("read before the mutation");
    expect(await racing).toEqual({ value: "read before the mutation", written: false });
    expect(await fx.admin.exists(key)).toBe(0);
    // ttlOf 0: loaded, not written.
    expect(await warmer.cache.refresh(key, async () => null, { ttl: 60, ttlOf: () => 0 })).toEqual({ value: null, written: false });
  });

  it("an unrelated invalidation does not stop the write", async () => {
    const loader = await fx.instance();
    const other = await fx.instance();
    const key = fx.key("user");
    const load = await slowLoad(loader, key, ["mine"]);
    await other.cache.invalidateTags(["someone-else"]);
    await other.cache.delete(fx.key("user"));
    load.finish("v");
    await load.pending;
    expect(await fx.admin.exists(key)).toBe(1);
  });
});

describe("tags", () => {
  it("invalidation is exact and a hard delete in L2 and in the other instance's L1", async () => {
    const a = await observedInstance();
    const b = await observedInstance();
    const [k1, k2, k3, k4] = [fx.key("scan"), fx.key("scan"), fx.key("user"), fx.key("user")] as [string, string, string, string];
    await a.cache.set(k1, 1, { ttl: 60, tags: ["user:1"] });
    await a.cache.set(k2, 2, { ttl: 60, tags: ["user:1", "scan:2"] });
    await a.cache.set(k3, 3, { ttl: 60, tags: ["scan:2"] });
    await a.cache.set(k4, 4, { ttl: 60 });
    for (const [key, value] of [
      [k1, 1],
      [k2, 2],
      [k3, 3],
      [k4, 4],
    ] as const)
      await untilServedFromL1(b, key, value);

    expect(await a.cache.invalidateTags(["user:1"])).toBe(2);
    const committedAt = performance.now();
    expect(await fx.admin.exists(k1, k2, k3, k4)).toBe(2);
    // The other instance: by message, at the latest within the fence bound.
    await latencyUntilGone(b.cache, k1, 1, committedAt, FENCE_MS);
    await latencyUntilGone(b.cache, k2, 2, committedAt, FENCE_MS);
    for (const cache of [a.cache, b.cache]) {
      expect((await cache.get(k1)).value).toBeUndefined();
      expect((await cache.get(k2)).value).toBeUndefined();
      expect((await cache.get(k3)).value).toBe(3);
      expect((await cache.get(k4)).value).toBe(4);
    }
    const tagSet = (tag: string) => `${fx.prefix}:__cache:tag:${tag}`;
    expect(await fx.admin.exists(tagSet("user:1"))).toBe(0);
    // k2 also left its other tag set; k3 is still in it.
    expect(await fx.admin.smembers(tagSet("scan:2"))).toEqual([k3]);
    expect(await a.cache.invalidateTags(["user:1", "nothing"])).toBe(0);
  });

  it("an entry re-set without a tag survives that tag's invalidation", async () => {
    const { cache } = await fx.instance();
    const key = fx.key("scan");
    await cache.set(key, "tagged", { ttl: 60, tags: ["pkg:npm/lodash"] });
    await cache.set(key, "untagged", { ttl: 60, tags: ["pkg:npm/react"] });
    expect(await cache.invalidateTags(["pkg:npm/lodash"])).toBe(0);
    expect((await cache.get(key)).value).toBe("untagged");
    expect(await cache.invalidateTags(["pkg:npm/react"])).toBe(1);
  });

  it("deleting an entry removes it from its tag sets, and tag sets live as long as their longest member", async () => {
    const { cache } = await fx.instance();
    const [short, long] = [fx.key("scan"), fx.key("scan")];
    const tagSet = `${fx.prefix}:__cache:tag:user:7`;
    await cache.set(long, 1, { ttl: 100, grace: 50, tags: ["user:7"] });
    await cache.set(short, 2, { ttl: 5, tags: ["user:7"] });
    const ttl = await fx.admin.ttl(tagSet);
    expect(ttl).toBeGreaterThanOrEqual(150);
    expect(ttl).toBeLessThanOrEqual(152);
    await cache.delete(long);
    expect(await fx.admin.smembers(tagSet)).toEqual([short]);
    await cache.delete(short);
    expect(await fx.admin.exists(tagSet)).toBe(0);
  });

  it("tag sets expire with their entries and prune members whose entries expired", async () => {
    const { cache } = await fx.instance();
    const hot = `${fx.prefix}:__cache:tag:hot`;
    const cold = `${fx.prefix}:__cache:tag:cold`;
    // Entries of 2 s, so their tag sets live 3 s. Every write must land before the first entry expires (a later
    // write would prune it from the set): 2 s leaves a loaded machine the room that 50 ms did not.
    const written = await Promise.all(Array.from({ length: 20 }, () => cache.set(fx.key("result"), 1, { ttl: 2, tags: ["hot", "cold"] })));
    expect(written.every(Boolean)).toBe(true);
    expect(await fx.admin.scard(hot)).toBe(20);
    const coldTtl = await fx.admin.ttl(cold);
    expect(coldTtl).toBeGreaterThan(0);
    expect(coldTtl).toBeLessThanOrEqual(3);
    await expect.poll(() => fx.admin.exists(cold), { timeout: 30_000, interval: 100 }).toBe(0);
    for (let i = 0; i < 20; i++) await cache.set(fx.key("result"), 1, { ttl: 60, tags: ["hot"] });
    expect(await fx.admin.scard(hot)).toBeLessThanOrEqual(30);
  });

  it("a write prunes members whose entries expired from a tag set that outlives them", async () => {
    const { cache } = await fx.instance();
    const tagSet = `${fx.prefix}:__cache:tag:lasting`;
    const gone = Array.from({ length: 20 }, () => fx.key("result"));
    const written = await Promise.all(gone.map((key) => cache.set(key, 1, { ttl: 1, tags: ["lasting"] })));
    expect(written.every(Boolean)).toBe(true);
    // As when a long-lived entry shares the tag: the set stays, its members' entries do not.
    await fx.admin.expire(tagSet, 60);
    await expect.poll(() => fx.admin.exists(...gone), { timeout: 30_000, interval: 50 }).toBe(0);
    const before = await fx.admin.scard(tagSet);
    expect(before).toBeGreaterThanOrEqual(2);
    await cache.set(fx.key("result"), 1, { ttl: 60, tags: ["lasting"] });
    // The write adds its own member, then samples three distinct ones, at most one of them live: two or more go.
    expect(await fx.admin.scard(tagSet)).toBeLessThanOrEqual(before - 1);
  });
});

describe("deleteByPattern and flush", () => {
  it("deleteByPattern deletes exactly the matching entries with SCAN, in L2 and other L1s", async () => {
    const a = await observedInstance();
    const b = await observedInstance();
    const base = `${fx.prefix}:user:${Date.now()}`;
    const many = Array.from({ length: 1200 }, (_, i) => `${base}-1:scans:${i}`);
    // In batches: a thousand concurrent calls on one connection would exceed the 50 ms timeout and open the
    // breaker. A loaded machine may still time one out (and the calls right after it are then not sent): a
    // batch is written again until every write went through.
    for (let i = 0; i < many.length; i += 100) {
      const batch = many.slice(i, i + 100);
      await waitFor(async () => (await Promise.all(batch.map((key) => a.cache.set(key, 1, { ttl: 60, tags: ["bulk"] })))).every(Boolean), {
        what: "a batch of writes",
      });
    }
    await a.cache.set(`${base}-10:scans:0`, "other user", { ttl: 60 });
    await untilServedFromL1(b, many[0] as string, 1);

    expect(await a.cache.deleteByPattern(`${base}-1:*`)).toBe(1200);
    await latencyUntilGone(b.cache, many[0] as string, 1, performance.now(), FENCE_MS);
    expect(await fx.admin.exists(...many.slice(0, 100))).toBe(0);
    expect((await b.cache.get(`${base}-10:scans:0`)).value).toBe("other user");
    expect(await fx.admin.scard(`${fx.prefix}:__cache:tag:bulk`)).toBe(0);
  });

  it("flush deletes entries and tag sets under the prefix only", async () => {
    // A prefix of its own (still under the file's, for cleanup): flush takes everything under it.
    const prefix = `${fx.prefix}-flush`;
    const { cache } = await fx.instance({ prefix });
    const neighbour = await fx.instance({ prefix: `${prefix}x` });
    const outside = `${prefix}-outside:k`;
    await fx.admin.set(outside, "kept", "EX", 60);
    await cache.set(`${prefix}:scan:1`, 1, { ttl: 60, tags: ["t"] });
    await cache.set(`${prefix}:auth:1`, 2, { ttl: 60 });
    await neighbour.cache.set(`${prefix}x:scan:1`, 3, { ttl: 60, tags: ["t"] });

    expect(await cache.countKeys()).toBe(2);
    expect(await cache.flush()).toBe(2);
    expect(await cache.countKeys()).toBe(0);
    expect(await cache.get(`${prefix}:scan:1`)).toEqual({ value: undefined, status: "MISS" });
    expect(await fx.admin.get(outside)).toBe("kept");
    expect((await neighbour.cache.get(`${prefix}x:scan:1`)).value).toBe(3);
    expect(await fx.admin.exists(`${prefix}x:__cache:tag:t`)).toBe(1);
    expect(await fx.admin.exists(`${prefix}:__cache:tag:t`)).toBe(0);
    // The fence survives a flush: it is what tells other instances to drop their L1.
    expect(await fx.admin.exists(`${prefix}:__cache:fence`)).toBe(1);
  });
});
