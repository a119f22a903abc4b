/** Where a Redis role lives: one server (the URL as ioredis reads it), or a Redis Cluster's seed nodes. */
export type RedisTarget =
  | { cluster: false }
  | {
      cluster: {
        nodes: { host: string; port: number }[];
        auth: { username?: string; password?: string };
        tls: boolean;
      };
    };

/**
 * Reads `REDIS_URL` / `REDIS_CACHE_URL`. `?cluster=true` makes the URL's host a seed node of a Redis Cluster;
 * `&nodes=host2:6379,host3:6379` adds seeds (any one reachable is enough). A Cluster has only database 0.
 */
export function redisTarget(url: string): RedisTarget {
  const parsed = new URL(url);
  if (parsed.searchParams.get("cluster") !== "true") return { cluster: false };
  const database = parsed.pathname.replace(/^\//, "");
  if (database !== "" && database !== "0") throw new Error(`${redactedUrl(parsed)}: a Redis Cluster has only database 0`);
  const seed = `${parsed.hostname}:${parsed.port || "6379"}`;
  const extra = (parsed.searchParams.get("nodes") ?? "").split(",").filter(Boolean);
  const nodes = [seed, ...extra].map((node) => {
    const match = /^\[?([^\]]+?)\]?:(\d+)$/.exec(node.trim());
    if (!match) throw new Error(`${redactedUrl(parsed)}: cluster node "${node}" is not host:port`);
    return { host: match[1]!, port: Number(match[2]) };
  });
  const auth = {
    ...(parsed.username && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password && { password: decodeURIComponent(parsed.password) }),
  };
  return { cluster: { nodes, auth, tls: parsed.protocol === "rediss:" } };
}

/** BullMQ's key prefix of one queue, by the queue's name. */
export type QueuePrefix = (queue: string) => string;

/**
 * BullMQ's keys for one queue must share a hash slot on a Cluster, and the queues should spread over its masters:
 * a prefix without a `{hash tag}` gets one per queue (`secapi` → `{secapi-scans}` for `scans`). A prefix with a tag
 * of its own (`{secapi}`) is used as it is, every queue then in that one slot. Off a Cluster the prefix is kept.
 */
export function queuePrefixes(prefix: string, queueRedisUrl: string): QueuePrefix {
  if (redisTarget(queueRedisUrl).cluster === false || /\{[^}]+\}/.test(prefix)) return () => prefix;
  return (queue) => `{${prefix}-${queue}}`;
}

function redactedUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
