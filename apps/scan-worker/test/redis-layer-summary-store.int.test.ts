import { CacheKeys } from "@secapi/core";
import { InMemoryLayerSummaryStore, LAYER_SUMMARY_VERSION, type LayerSummary } from "@secapi/scanners";
import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { RedisLayerSummaryStore } from "../src/redis-layer-summary-store.js";

const redis = new Redis(TEST_REDIS_URL);
const prefix = uniqueId("layers");
afterAll(async () => {
  await deleteKeysByPrefix(redis, `${prefix}:`);
  redis.disconnect();
});

const digest = `sha256:${"d".repeat(64)}`;
const summary: LayerSummary = {
  version: LAYER_SUMMARY_VERSION,
  files: { "var/lib/dpkg/status": { type: "packages", packages: [{ kind: "dpkg", name: "openssl", version: "3.0.11-1" }] } },
  whiteouts: ["var/lib/dpkg/status.d/tzdata"],
  opaqueDirs: [],
  hidden: [],
  unchecked: [],
};

describe("RedisLayerSummaryStore", () => {
  it("keeps a summary under the layer's digest, with a TTL, as the in-memory store would give it back", async () => {
    const store = new RedisLayerSummaryStore({ redis, keys: new CacheKeys(prefix), ttlSeconds: 60 });
    expect(await store.get(digest)).toBeUndefined();
    await store.set(digest, summary);
    const memory = new InMemoryLayerSummaryStore();
    await memory.set(digest, summary);
    expect(await store.get(digest)).toEqual(await memory.get(digest));
    const ttl = await redis.ttl(`${prefix}:layer:v${LAYER_SUMMARY_VERSION}:${digest}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60);
  });

  it("fails (and so only costs a re-read) when Redis does not answer", async () => {
    const down = new Redis({ port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const store = new RedisLayerSummaryStore({ redis: down, keys: new CacheKeys(prefix) });
    await expect(store.get(digest)).rejects.toThrow();
    down.disconnect();
  });
});
