import type { CacheKeys } from "@secapi/core";
import { LAYER_SUMMARY_VERSION, type LayerSummary, type LayerSummaryStore } from "@secapi/scanners";
import type { Cluster, Redis } from "ioredis";

/** Layer summaries are content-addressed and never change: they live until Redis evicts them or 30 days pass. */
export const LAYER_SUMMARY_TTL_SECONDS = 30 * 24 * 3600;

/**
 * Layer summaries in the cache Redis (`secapi:layer:v<format version>:<digest>`, JSON), shared by every scan-worker: a second image on
 * the same base reads only its own layers. A cache in every sense: the cache Redis may evict entries (allkeys-lru),
 * and a failing call only costs a re-read of the layer (the analysis ignores store errors and unknown formats).
 * Plain GET/SET rather than @secapi/cache: a summary never changes once written, so tags, invalidation, L1 and
 * stampede protection (which serve results) have nothing to do here.
 */
export class RedisLayerSummaryStore implements LayerSummaryStore {
  constructor(private readonly options: { redis: Redis | Cluster; keys: CacheKeys; ttlSeconds?: number }) {}

  async get(digest: string): Promise<LayerSummary | undefined> {
    const json = await this.options.redis.get(this.keyOf(digest));
    return json === null ? undefined : (JSON.parse(json) as LayerSummary);
  }

  async set(digest: string, summary: LayerSummary): Promise<void> {
    const ttl = this.options.ttlSeconds ?? LAYER_SUMMARY_TTL_SECONDS;
    await this.options.redis.set(this.keyOf(digest), JSON.stringify(summary), "EX", ttl);
  }

  private keyOf(digest: string): string {
    return this.options.keys.layerSummary(LAYER_SUMMARY_VERSION, digest);
  }
}
