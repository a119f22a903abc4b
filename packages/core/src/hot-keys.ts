import type { Cluster, Redis } from "ioredis";

export interface HotKeyTrackerOptions {
  /** The cache Redis: losing this data only makes warming less informed. */
  redis: Redis | Cluster;
  /** Sorted set of key → decayed hit count. */
  setKey?: string;
  /** Fraction of reads recorded; each recorded read counts 1/sampleRate so scores stay unbiased. */
  sampleRate?: number;
  /** Most keys remembered; the coldest beyond this are dropped at each decay. */
  maxKeys?: number;
  random?: () => number;
}

/**
 * Which cache keys are read most, across every API process: reads are sampled into a Redis sorted set
 * (one fire-and-forget ZINCRBY per sampled read), and the cache-worker decays the scores on a schedule so
 * the set follows what is hot now. Warming reads the top of it.
 */
export class HotKeyTracker {
  readonly setKey: string;
  private readonly sampleRate: number;
  private readonly maxKeys: number;
  private readonly random: () => number;

  constructor(private readonly options: HotKeyTrackerOptions) {
    this.setKey = options.setKey ?? "secapi:hot-keys";
    this.sampleRate = options.sampleRate ?? 0.1;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.random = options.random ?? Math.random;
  }

  /** Records a read of `key` (sampled). Never waits and never throws: it is on the request path. */
  touch(key: string): void {
    if (this.random() >= this.sampleRate) return;
    this.options.redis.zincrby(this.setKey, 1 / this.sampleRate, key).catch(() => undefined);
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
