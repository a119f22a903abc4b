import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import { Redis } from "ioredis";
import { Cache, type CacheOptions } from "../src/index.js";

/** The Redis timeout of the instances of tests that are not about it. */
export const GENEROUS_TIMEOUT_MS = 1000;

/** One instance of the cache as a process would have it: its own command and subscriber connections, its own L1. */
export interface Instance {
  cache: Cache;
  redis: Redis;
  subscriber: Redis;
}

export function connect(url = TEST_REDIS_URL): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on("error", () => undefined);
  return redis;
}

/**
 * A unique prefix for one test file, instances of the cache under it, and cleanup of both the keys and the
 * connections. Every instance is a separate "process" as far as the cache can tell.
 */
export function cacheFixture(url = TEST_REDIS_URL) {
  const prefix = uniqueId("cachetest");
  const admin = connect(url);
  const instances: Instance[] = [];
  return {
    prefix,
    admin,
    key: (type = "scan") => `${prefix}:${type}:${uniqueId("")}`,
    /**
     * An instance with a generous Redis timeout (1 s) unless the test gives one: a loaded machine must not turn
     * an expected HIT into a BYPASS. Tests about the timeout pass `timeoutMs`.
     */
    async instance(options: Partial<CacheOptions> = {}): Promise<Instance> {
      const redis = connect(url);
      const subscriber = (options.subscriber as Redis | undefined) ?? connect(url);
      const cache = new Cache({ redis, prefix, timeoutMs: GENEROUS_TIMEOUT_MS, ...options, subscriber });
      await cache.start();
      const instance = { cache, redis, subscriber };
      instances.push(instance);
      return instance;
    },
    /** Closes the instances created so far (after each test, so idle ones do not take every message). */
    async closeInstances(): Promise<void> {
      for (const { cache, redis, subscriber } of instances.splice(0)) {
        await cache.close();
        redis.disconnect();
        subscriber.disconnect();
      }
    },
    async cleanup(): Promise<void> {
      await this.closeInstances();
      await deleteKeysByPrefix(admin, prefix).catch(() => undefined);
      admin.disconnect();
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Lets I/O callbacks (replies, messages) run between tight-loop iterations. */
export const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A controllable wall clock shared by instances, for moving entries into grace without sleeping. */
export function manualClock(start = Date.now()) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}
