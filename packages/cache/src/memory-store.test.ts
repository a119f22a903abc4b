import { describe, expect, it } from "vitest";
import { type CacheEntry, createEntry } from "./cache-entry.js";
import { MemoryStore } from "./memory-store.js";

const NOW = 1_000_000;
const entry = (value: unknown, tags: string[] = [], ttl = 60): CacheEntry => createEntry(value, { ttl, tags }, NOW);
const store = (options: Partial<ConstructorParameters<typeof MemoryStore>[0]> = {}) =>
  new MemoryStore({ maxEntries: 100, maxBytes: 1_000_000, maxTtlMs: 60_000, ...options });

describe("MemoryStore bounds", () => {
  it("keeps at most maxEntries, evicting the least recently used", () => {
    const l1 = store({ maxEntries: 3 });
    for (const key of ["a", "b", "c"]) l1.set(key, entry(key), 10, NOW, l1.generation);
    l1.get("a", NOW); // a becomes the most recently used; b is now the oldest
    l1.set("d", entry("d"), 10, NOW, l1.generation);
    expect(l1.entries).toBe(3);
    expect(l1.get("b", NOW)).toBeUndefined();
    expect(["a", "c", "d"].map((k) => l1.get(k, NOW)?.value)).toEqual(["a", "c", "d"]);
  });

  it("keeps at most maxBytes, evicting the oldest until the new entry fits", () => {
    const l1 = store({ maxBytes: 100 });
    l1.set("a", entry("a"), 40, NOW, l1.generation);
    l1.set("b", entry("b"), 40, NOW, l1.generation);
    expect(l1.bytes).toBe(80);
    l1.set("c", entry("c"), 50, NOW, l1.generation);
    expect(l1.get("a", NOW)).toBeUndefined();
    expect(l1.bytes).toBe(90);
    expect(l1.entries).toBe(2);
  });

  it("refuses an entry larger than maxBytes instead of emptying itself for it", () => {
    const l1 = store({ maxBytes: 100 });
    l1.set("a", entry("a"), 40, NOW, l1.generation);
    expect(l1.set("huge", entry("huge"), 101, NOW, l1.generation)).toBe(false);
    expect(l1.get("a", NOW)?.value).toBe("a");
  });

  it("replacing an entry updates the byte count", () => {
    const l1 = store();
    l1.set("a", entry("a"), 40, NOW, l1.generation);
    l1.set("a", entry("aa"), 70, NOW, l1.generation);
    expect([l1.entries, l1.bytes]).toEqual([1, 70]);
  });

  it("stores nothing when maxEntries is 0 (L1 disabled)", () => {
    const l1 = store({ maxEntries: 0 });
    expect(l1.set("a", entry("a"), 1, NOW, l1.generation)).toBe(false);
    expect(l1.entries).toBe(0);
  });
});

describe("MemoryStore lifetimes", () => {
  it("never keeps an entry past its staleUntil / errorUntil", () => {
    const l1 = store();
    l1.set("a", createEntry("a", { ttl: 10, grace: 5 }, NOW), 1, NOW, l1.generation);
    expect(l1.get("a", NOW + 14_999)).toBeDefined();
    expect(l1.get("a", NOW + 15_000)).toBeUndefined();
    expect(l1.entries).toBe(0);
  });

  it("never keeps an entry longer than maxTtlMs", () => {
    const l1 = store({ maxTtlMs: 1000 });
    l1.set("a", entry("a"), 1, NOW, l1.generation);
    expect(l1.get("a", NOW + 999)).toBeDefined();
    expect(l1.get("a", NOW + 1000)).toBeUndefined();
  });
});

describe("MemoryStore invalidation", () => {
  it("drops exactly the entries with a tag, a key, or a key matching a pattern", () => {
    const l1 = store();
    l1.set("p:scan:1", entry(1, ["user:1", "scan:1"]), 1, NOW, l1.generation);
    l1.set("p:scan:2", entry(2, ["user:2"]), 1, NOW, l1.generation);
    l1.set("p:user:1:list", entry(3, ["user:1"]), 1, NOW, l1.generation);
    l1.set("p:user:10:list", entry(4), 1, NOW, l1.generation);
    expect(l1.invalidate({ kind: "tag", items: ["user:1"] })).toBe(2);
    expect(l1.invalidate({ kind: "pattern", items: ["p:user:1[0-9]:*"] })).toBe(1);
    expect(l1.get("p:scan:2", NOW)?.value).toBe(2);
    expect(l1.invalidate({ kind: "key", items: ["p:scan:2", "p:absent"] })).toBe(1);
    expect(l1.entries).toBe(0);
  });

  it("refuses a fill whose value was read before an invalidation concerning it was applied", () => {
    const l1 = store();
    const before = l1.generation;
    l1.invalidate({ kind: "tag", items: ["user:1"] });
    expect(l1.set("p:a", entry("old", ["user:1"]), 1, NOW, before)).toBe(false);
    expect(l1.set("p:b", entry("other", ["user:2"]), 1, NOW, before)).toBe(true);
    expect(l1.set("p:a", entry("new", ["user:1"]), 1, NOW, l1.generation)).toBe(true);
  });

  it("refuses every fill from before a flush, and assumes the worst once its history is exhausted", () => {
    const l1 = store();
    const before = l1.generation;
    l1.clear();
    expect(l1.set("p:a", entry("a"), 1, NOW, before)).toBe(false);
    const older = l1.generation;
    for (let i = 0; i < 300; i++) l1.invalidate({ kind: "key", items: [`p:other:${i}`] });
    expect(l1.set("p:a", entry("a"), 1, NOW, older)).toBe(false);
    expect(l1.set("p:a", entry("a"), 1, NOW, l1.generation - 10)).toBe(true);
  });
});
