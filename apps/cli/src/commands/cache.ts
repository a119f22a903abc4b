import { Cache } from "@secapi/cache";
import type { Config } from "@secapi/config";
import { CACHE_PREFIX } from "@secapi/core";
import { type RedisClient, createLogger, createRedisClient } from "@secapi/runtime";

/** A short-lived cache client: no reconnecting, everything closed afterwards, so the command exits. */
async function withCache<T>(config: Config, fn: (cache: Cache, redis: RedisClient) => Promise<T>): Promise<T> {
  const options = { maxRetriesPerRequest: 1, lazyConnect: true, retryStrategy: () => null };
  // Connection errors are reported once, below, as the command's own error.
  const quiet = createLogger({ service: "cli", level: "silent", sync: true });
  const redis = createRedisClient(config.redisCacheUrl, quiet, "cli", options);
  const subscriber = createRedisClient(config.redisCacheUrl, quiet, "cli-subscriber", options);
  try {
    await Promise.all([redis.connect(), subscriber.connect()]);
  } catch (error) {
    redis.disconnect();
    subscriber.disconnect();
    throw new Error(`cannot reach the cache Redis at ${config.redisCacheUrl}: ${(error as Error).message}`);
  }
  const cache = new Cache({ redis, subscriber, prefix: CACHE_PREFIX, timeoutMs: 2000 });
  try {
    await cache.start();
    return await fn(cache, redis);
  } finally {
    await cache.close();
    redis.disconnect();
    subscriber.disconnect();
  }
}

/** `secapi cache stats`: entries under the prefix and the cache Redis's memory (this process's hit counters would be meaningless). */
export async function cacheStats(config: Config, options: { json: boolean }): Promise<void> {
  const stats = await withCache(config, async (cache, redis) => {
    const info = await redis.info();
    const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? 0);
    return {
      keys: await cache.countKeys(),
      latency_ms: await cache.ping(),
      redis_info: { used_memory: field("used_memory"), connected_clients: field("connected_clients") },
    };
  });
  if (options.json) console.log(JSON.stringify(stats));
  else {
    console.log(`entries under "${CACHE_PREFIX}:": ${stats.keys ?? "unknown"}`);
    console.log(
      `cache Redis: ${stats.redis_info.used_memory} bytes used, ${stats.redis_info.connected_clients} clients, ping ${stats.latency_ms?.toFixed(2)} ms`,
    );
    console.log("hit rates: GET /api/v1/cache/stats on an API process, or secapi_cache_hits_total in Prometheus");
  }
}

/** `secapi cache flush`: every entry under the prefix, in Redis and (by the invalidation bus) in every API's L1. */
export async function cacheFlush(config: Config): Promise<void> {
  const deleted = await withCache(config, (cache) => cache.flush());
  console.log(`Deleted ${deleted} cache entries`);
}

/**
 * `secapi cache delete --pattern <glob>`: the entries whose keys match (SCAN on every master), in Redis and (by
 * the invalidation bus) in every API's L1. The pattern was checked by `keyPatternProblem` when parsed.
 */
export async function cacheDelete(config: Config, options: { pattern: string; json: boolean }): Promise<void> {
  const deleted = await withCache(config, (cache) => cache.deleteByPattern(options.pattern));
  if (options.json) console.log(JSON.stringify({ deleted_keys: deleted }));
  else console.log(`Deleted ${deleted} cache entries matching ${options.pattern}`);
}
