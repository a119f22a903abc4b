import type { Cluster, Redis } from "ioredis";

export interface HotKeyTrackerOptions {
  /** The cache Redis: losing this data only makes warming less informed. */
  redis: Redis | Cluster;
  /** Sorted set of key → decayed hit count. */
  setKey?: string;
  /** How often the reads counted in this process are added to the shared set, default 1,000 ms. */
  flushIntervalMs?: number;
  /** Distinct keys counted before a flush is started early, default 10,000 (bounds this process's memory). */
  maxPendingKeys?: number;
  /** Most keys remembered in the shared set; the coldest beyond this are dropped at each decay. */
  maxKeys?: number;
}

/**
 * Which cache keys are read most, across every API process: each process counts its reads in memory and adds
 * them to a Redis sorted set once a second (one ZINCRBY per distinct key, in one pipeline), and the
 * cache-worker decays the scores on a schedule so the set follows what is hot now. Warming reads the top of
 * it. Counting locally costs a request a Map update instead of a Redis command, and counts every read: a
 * process that stops without `close` loses at most its last second of counts.
 */
export class HotKeyTracker {
  readonly setKey: string;
  private readonly flushIntervalMs: number;
  private readonly maxPendingKeys: number;
  private readonly maxKeys: number;
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: HotKeyTrackerOptions) {
    this.setKey = options.setKey ?? "secapi:hot-keys";
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.maxPendingKeys = options.maxPendingKeys ?? 10_000;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Counts a read of `key`. Never waits and never throws: it is on the request path. */
  touch(key: string): void {
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    if (this.pending.size >= this.maxPendingKeys) void this.flush();
    else if (!this.timer) {
      this.timer = setInterval(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Adds the reads counted so far to the shared set. Never throws: on Redis trouble those counts are dropped. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const counted = this.pending;
    this.pending = new Map();
    const pipeline = this.options.redis.pipeline();
    for (const [key, count] of counted) pipeline.zincrby(this.setKey, count, key);
    await pipeline.exec().catch(() => undefined);
  }

  /** Stops the schedule and flushes what is counted. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Multiplies every score by `factor`, forgets keys that went cold, and keeps at most maxKeys. */
  async decay(factor = 0.5, coldBelow = 0.5): Promise<void> {
    const redis = this.options.redis;
    await redis.zunionstore(this.setKey, 1, this.setKey, "WEIGHTS", factor);
    await redis.zremrangebyscore(this.setKey, "-inf", `(${coldBelow}`);
    await redis.zremrangebyrank(this.setKey, 0, -(this.maxKeys + 1));
  }

  /** The hottest keys, hottest first. */
  async top(count: number): Promise<{ key: string; score: number }[]> {
    const flat = await this.options.redis.zrevrange(this.setKey, 0, count - 1, "WITHSCORES");
    const result: { key: string; score: number }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) result.push({ key: flat[i] ?? "", score: Number(flat[i + 1]) });
    return result;
  }

  /** Scores of specific keys (0 for keys never read). */
  async scores(keys: readonly string[]): Promise<Map<string, number>> {
    if (keys.length === 0) return new Map();
    const values = await this.options.redis.zmscore(this.setKey, ...keys);
    return new Map(keys.map((key, i) => [key, Number(values[i] ?? 0)]));
  }
}
