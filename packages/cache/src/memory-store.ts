import type { CacheEntry } from "./cache-entry.js";
import { entryExpiresAt } from "./cache-entry.js";
import { type Invalidation, InvalidationMatcher } from "./invalidation.js";

/** Bounds of the in-process LRU. */
export interface MemoryStoreOptions {
  maxEntries: number;
  maxBytes: number;
  maxTtlMs: number;
}

interface Slot {
  entry: CacheEntry;
  size: number;
  evictAt: number;
}

/** Invalidations remembered so that a fill that raced one can be refused. */
const HISTORY = 256;

/**
 * The L1: an LRU bounded by entry count and by approximate bytes (the serialized JSON length), which knows
 * each entry's tags so invalidations by tag or pattern drop exactly the right entries.
 *
 * Every invalidation bumps `generation`. A caller that reads a value from Redis or a loader notes the
 * generation first and passes it to `set`; if an invalidation concerning that key was applied meanwhile,
 * the value may predate it and is refused. Without this, a GET answered just before a DEL could put the
 * old value back after the invalidation had already been applied.
 */
export class MemoryStore {
  private readonly slots = new Map<string, Slot>();
  private readonly byTag = new Map<string, Set<string>>();
  private readonly history: { generation: number; matcher: InvalidationMatcher }[] = [];
  private usedBytes = 0;
  private currentGeneration = 0;

  constructor(private readonly options: MemoryStoreOptions) {}

  get generation(): number {
    return this.currentGeneration;
  }

  get entries(): number {
    return this.slots.size;
  }

  get bytes(): number {
    return this.usedBytes;
  }

  /** The entry under `key` unless it has expired; a read makes it the most recently used. */
  get(key: string, now: number): CacheEntry | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (now >= slot.evictAt) {
      this.remove(key, slot);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.entry;
  }

  /**
   * Stores an entry of `size` bytes unless an invalidation concerning it was applied after `sinceGeneration`.
   * Returns whether it was stored.
   */
  set(key: string, entry: CacheEntry, size: number, now: number, sinceGeneration: number): boolean {
    if (this.invalidatedSince(sinceGeneration, key, entry.tags)) return false;
    const evictAt = Math.min(entryExpiresAt(entry), now + this.options.maxTtlMs);
    if (evictAt <= now || size > this.options.maxBytes || this.options.maxEntries < 1) return false;
    const previous = this.slots.get(key);
    if (previous) this.remove(key, previous);
    this.slots.set(key, { entry, size, evictAt });
    this.usedBytes += size;
    for (const tag of entry.tags) {
      let keys = this.byTag.get(tag);
      if (!keys) this.byTag.set(tag, (keys = new Set()));
      keys.add(key);
    }
    while (this.slots.size > this.options.maxEntries || this.usedBytes > this.options.maxBytes) {
      const oldest = this.slots.keys().next().value as string;
      this.remove(oldest, this.slots.get(oldest) as Slot);
    }
    return true;
  }

  /** Drops the entries an invalidation concerns and remembers it for `set`. Returns how many were dropped. */
  invalidate(invalidation: Invalidation): number {
    const matcher = new InvalidationMatcher(invalidation);
    this.currentGeneration++;
    this.history.push({ generation: this.currentGeneration, matcher });
    if (this.history.length > HISTORY) this.history.shift();
    const doomed = new Set<string>();
    if (invalidation.kind === "key") {
      for (const key of invalidation.items) if (this.slots.has(key)) doomed.add(key);
    } else if (invalidation.kind === "tag") {
      for (const tag of invalidation.items) for (const key of this.byTag.get(tag) ?? []) doomed.add(key);
    } else {
      for (const [key, slot] of this.slots) if (matcher.matches(key, slot.entry.tags)) doomed.add(key);
    }
    for (const key of doomed) this.remove(key, this.slots.get(key) as Slot);
    return doomed.size;
  }

  /** Drops everything; returns how many entries there were. */
  clear(): number {
    return this.invalidate({ kind: "flush", items: [] });
  }

  private invalidatedSince(generation: number, key: string, tags: readonly string[]): boolean {
    if (generation === this.currentGeneration) return false;
    const oldest = this.history[0];
    // The history no longer reaches back to the caller's generation: assume the worst.
    if (!oldest || oldest.generation > generation + 1) return true;
    return this.history.some((record) => record.generation > generation && record.matcher.matches(key, tags));
  }

  private remove(key: string, slot: Slot): void {
    this.slots.delete(key);
    this.usedBytes -= slot.size;
    for (const tag of slot.entry.tags) {
      const keys = this.byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.byTag.delete(tag);
    }
  }
}
