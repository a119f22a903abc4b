import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";
import { redisTarget } from "@secapi/config";

/** A client of one Redis role: a single server or a Redis Cluster, as its URL says. */
export type RedisClient = Redis | Cluster;

/**
 * An ioredis client that reconnects forever with capped back-off and logs connection trouble once per
 * outage instead of once per retry. Pass `{ maxRetriesPerRequest: null }` for BullMQ workers.
 * `redis://host:port?cluster=true` (optionally `&nodes=host2:port,host3:port`) connects to a Redis Cluster
 * through those seed nodes; the client discovers the other masters itself.
 */
export function createRedisClient(url: string, logger: Logger, name: string, options: RedisOptions = {}): RedisClient {
  const target = redisTarget(url);
  const retryStrategy = (times: number) => Math.min(50 * 2 ** times, 2000);
  const redisOptions: RedisOptions = { connectionName: `secapi-${name}`, retryStrategy, ...options };
  const redis: RedisClient =
    target.cluster === false
      ? new Redis(url, redisOptions)
      : new Cluster(target.cluster.nodes, {
          redisOptions: { ...redisOptions, ...target.cluster.auth, ...(target.cluster.tls && { tls: {} }) },
          clusterRetryStrategy: options.retryStrategy ?? retryStrategy,
          lazyConnect: options.lazyConnect ?? false,
          // Cluster-level equivalents of the per-connection options the callers rely on.
          enableOfflineQueue: options.enableOfflineQueue ?? true,
          enableAutoPipelining: options.enableAutoPipelining ?? false,
        });
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.warn({ err: error, redis: name }, "redis connection error; reconnecting");
  });
  redis.on("ready", () => {
    if (down) logger.info({ redis: name }, "redis connection restored");
    down = false;
  });
  return redis;
}
