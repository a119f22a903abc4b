import { CacheKeyError } from "./errors/cache-key-error.js";

/**
 * Where everything lives in Redis. Entries are the caller's own keys (`<prefix>:<type>:...`); the cache's
 * bookkeeping sits under `<prefix>:__cache:` so that pattern deletes and flushes can tell them apart.
 */
export class KeyLayout {
  /** Namespace of tag sets, locks and the fence stream. */
  readonly internal: string;
  /** Stream of recent invalidations; its last id is the invalidation epoch. */
  readonly fence: string;
  /** Prefix of tag sets: `<prefix>:__cache:tag:<tag>` holds the keys of the entries carrying the tag. */
  readonly tagPrefix: string;
  /** Pub/sub channel of invalidations (keys, tags, patterns; never values). */
  readonly invalidateChannel: string;
  /** Pub/sub channel on which a stampede lock holder announces the key it filled. */
  readonly filledChannel: string;
  /** What every entry key starts with. */
  private readonly entryPrefix: string;

  constructor(readonly prefix: string) {
    this.internal = `${prefix}:__cache:`;
    this.fence = `${this.internal}fence`;
    this.tagPrefix = `${this.internal}tag:`;
    this.invalidateChannel = `${prefix}:invalidate`;
    this.filledChannel = `${prefix}:filled`;
    this.entryPrefix = `${prefix}:`;
  }

  tag(tag: string): string {
    return `${this.tagPrefix}${tag}`;
  }

  lock(key: string): string {
    return `${this.internal}lock:${key}`;
  }

  /** Whether a key found by SCAN is an entry (not bookkeeping). */
  isEntry(key: string): boolean {
    return !key.startsWith(this.internal);
  }

  /** Throws `CacheKeyError` unless `key` (or a pattern) names entries under the prefix. */
  assertEntryKey(key: string): void {
    if (typeof key !== "string" || !key.startsWith(this.entryPrefix) || key.length === this.entryPrefix.length) {
      throw new CacheKeyError(String(key), `must start with "${this.prefix}:"`);
    }
    if (!this.isEntry(key)) throw new CacheKeyError(key, `is in the cache's internal namespace "${this.internal}"`);
  }

  /** The default key type: the segment after the prefix ("result", "scan", "user", "auth"). */
  keyType(key: string): string {
    const start = this.prefix.length + 1;
    const end = key.indexOf(":", start);
    return key.slice(start, end < 0 ? undefined : end) || "other";
  }
}
