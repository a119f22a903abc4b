import { globToRegExp } from "./glob.js";

/** What an invalidation names: exact keys, tags, a SCAN pattern, or everything under the prefix. */
export type InvalidationKind = "key" | "tag" | "pattern" | "flush";

/** One invalidation as carried by the pub/sub bus and the fence log: names, never values. */
export interface Invalidation {
  kind: InvalidationKind;
  items: readonly string[];
}

const INVALIDATION_KINDS: ReadonlySet<string> = new Set<InvalidationKind>(["key", "tag", "pattern", "flush"]);

/** Parses the kind and JSON item list written by the bus or the fence log; undefined if malformed. */
export function parseInvalidation(kind: unknown, items: unknown): Invalidation | undefined {
  if (typeof kind !== "string" || !INVALIDATION_KINDS.has(kind)) return undefined;
  let parsed: unknown = items;
  if (typeof items === "string") {
    try {
      parsed = JSON.parse(items);
    } catch {
      return undefined;
    }
  }
  // Lua's cjson encodes an empty table as {}, so anything that is not a list is no items.
  const list = Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === "string") : [];
  return { kind: kind as InvalidationKind, items: list };
}

/** Decides whether an invalidation concerns an entry, compiling patterns once. */
export class InvalidationMatcher {
  private readonly items: ReadonlySet<string>;
  private readonly patterns: RegExp[];

  constructor(readonly invalidation: Invalidation) {
    this.items = new Set(invalidation.items);
    this.patterns = invalidation.kind === "pattern" ? invalidation.items.map(globToRegExp) : [];
  }

  matches(key: string, tags: readonly string[]): boolean {
    switch (this.invalidation.kind) {
      case "key":
        return this.items.has(key);
      case "tag":
        return tags.some((tag) => this.items.has(tag));
      case "pattern":
        return this.patterns.some((pattern) => pattern.test(key));
      case "flush":
        return true;
    }
  }
}
