import { TestRedisCluster, uniqueId } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cache } from "../src/index.js";

let cluster: TestRedisCluster;
const caches: Cache[] = [];
const prefix = uniqueId("cachecluster");

async function instance(): Promise<Cache> {
  // Generous: on a loaded machine a cluster call may take a while, and no test here is about the timeout.
  const cache = new Cache({ redis: cluster.connect(), prefix, timeoutMs: 2000 });
  await cache.start();
  caches.push(cache);
  return cache;
}

const keysPerMaster = (pattern: string) => cluster.keysPerMaster(pattern);

beforeAll(async () => {
  cluster = await TestRedisCluster.start();
}, 120_000);

afterAll(async () => {
  for (const cache of caches) await cache.close();
  await cluster?.stop();
});

describe("on a Redis Cluster (3 masters)", () => {
  it("deleteByPattern and flush SCAN every master", async () => {
    const cache = await instance();
    const users = Array.from({ length: 60 }, (_, i) => `${prefix}:user:1:scans:${i}`);
    const others = Array.from({ length: 30 }, (_, i) => `${prefix}:user:2:scans:${i}`);
    for (const key of [...users, ...others]) expect(await cache.set(key, key, { ttl: 60, tags: ["bulk"] })).toBe(true);
    const spread = await keysPerMaster(`${prefix}:user:1:*`);
    expect(spread.every((n) => n > 0)).toBe(true);

    expect(await cache.deleteByPattern(`${prefix}:user:1:*`)).toBe(60);
    expect(await keysPerMaster(`${prefix}:user:1:*`)).toEqual([0, 0, 0]);
    expect((await cache.get(others[0] as string)).value).toBe(others[0]);

    expect(await cache.countKeys()).toBe(30);
    expect(await cache.flush()).toBe(30);
    expect((await keysPerMaster(`${prefix}:user:*`)).reduce((a, b) => a + b)).toBe(0);
    expect((await keysPerMaster(`${prefix}:__cache:tag:*`)).reduce((a, b) => a + b)).toBe(0);
  });

  it("getOrLoad, exact tag invalidation and delete work key by key across slots, and reach the other instance", async () => {
    const a = await instance();
    const b = await instance();
    const tagged = Array.from({ length: 10 }, (_, i) => `${prefix}:scan:t${i}`);
    const untagged = `${prefix}:scan:u`;
    for (const key of tagged)
      expect(await a.getOrLoad(key, async () => key, { ttl: 60, tags: ["user:9", `scan:${key}`] })).toMatchObject({ status: "MISS" });
    await a.getOrLoad(untagged, async () => "u", { ttl: 60, tags: ["user:8"] });
    for (const key of tagged) expect(await b.getOrLoad(key, async () => "other", { ttl: 60 })).toEqual({ value: key, status: "HIT" });

    expect(await a.invalidateTags(["user:9"])).toBe(10);
    expect((await keysPerMaster(`${prefix}:scan:t*`)).reduce((x, y) => x + y)).toBe(0);
    expect((await keysPerMaster(`${prefix}:__cache:tag:user:9`)).reduce((x, y) => x + y)).toBe(0);
    await expect.poll(async () => (await b.get(tagged[0] as string)).value, { timeout: 10_000, interval: 5 }).toBeUndefined();
    expect((await b.get(untagged)).value).toBe("u");

    expect(await b.delete(untagged)).toBe(1);
    expect((await keysPerMaster(`${prefix}:__cache:tag:user:8`)).reduce((x, y) => x + y)).toBe(0);
  });
});
