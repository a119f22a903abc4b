import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "pino";

/**
 * An ioredis client that reconnects forever with capped back-off and logs connection trouble once per
 * outage instead of once per retry. Pass `{ maxRetriesPerRequest: null }` for BullMQ workers.
 */
export function createRedisClient(url: string, logger: Logger, name: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(url, {
    connectionName: `secapi-${name}`,
    retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
    ...options,
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
