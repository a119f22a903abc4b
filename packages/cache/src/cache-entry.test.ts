import { describe, expect, it } from "vitest";
import {
  createEntry,
  decodeEntry,
  decodeEntryLifetimes,
  encodeEntry,
  entryExpiresAt,
  entryState,
  validateSetOptions,
} from "./cache-entry.js";
import { CacheOptionsError } from "./errors/cache-options-error.js";
import { CorruptEntryError } from "./errors/corrupt-entry-error.js";

const NOW = 1_700_000_000_000;

describe("entry freshness", () => {
  it("is fresh for ttl, stale for grace, usable on errors for staleIfError (default grace)", () => {
    const entry = createEntry("v", { ttl: 10, grace: 5, staleIfError: 60 }, NOW);
    expect([entry.freshUntil, entry.staleUntil, entry.errorUntil]).toEqual([NOW + 10_000, NOW + 15_000, NOW + 70_000]);
    expect(entryState(entry, NOW + 9_999)).toBe("fresh");
    expect(entryState(entry, NOW + 10_000)).toBe("stale");
    expect(entryState(entry, NOW + 15_000)).toBe("error-only");
    expect(entryState(entry, NOW + 70_000)).toBe("expired");
    expect(entryExpiresAt(entry)).toBe(NOW + 70_000);

    const defaults = createEntry("v", { ttl: 10, grace: 5 }, NOW);
    expect(defaults.errorUntil).toBe(defaults.staleUntil);
    const noGrace = createEntry("v", { ttl: 1 }, NOW);
    expect(entryState(noGrace, NOW + 1000)).toBe("expired");
  });

  it("accepts fractional seconds and de-duplicates tags", () => {
    const entry = createEntry("v", { ttl: 0.25, tags: ["a", "b", "a"] }, NOW);
    expect(entry.freshUntil).toBe(NOW + 250);
    expect(entry.tags).toEqual(["a", "b"]);
  });

  it("rejects unusable options", () => {
    for (const options of [
      { ttl: 0 },
      { ttl: -1 },
      { ttl: Number.NaN },
      { ttl: Infinity },
      { ttl: 1, grace: -1 },
      { ttl: 1, tags: [""] },
    ]) {
      expect(() => validateSetOptions(options)).toThrow(CacheOptionsError);
    }
    expect(() => validateSetOptions({ ttl: 1, grace: 0, staleIfError: 0, tags: ["user:1"] })).not.toThrow();
  });
});

describe("stored format", () => {
  it("round-trips value, lifetimes and tags, with a header line Lua can read", () => {
    const entry = createEntry({ body: "line1\nline2", etag: "W/1" }, { ttl: 10, grace: 2, tags: ["scan:1"] }, NOW);
    const payload = encodeEntry(entry) as string;
    expect(payload.split("\n")).toHaveLength(2);
    expect(JSON.parse(payload.split("\n")[0] as string)).toMatchObject({ v: 1, t: ["scan:1"] });
    expect(decodeEntry("k", payload)).toEqual(entry);
    expect(decodeEntryLifetimes("k", payload)).toEqual({
      freshUntil: entry.freshUntil,
      staleUntil: entry.staleUntil,
      errorUntil: entry.errorUntil,
    });
  });

  it("has no JSON form for undefined or functions", () => {
    expect(encodeEntry(createEntry(undefined, { ttl: 1 }, NOW))).toBeUndefined();
    expect(encodeEntry(createEntry(null, { ttl: 1 }, NOW))).toContain("\nnull");
  });

  it("detects garbage, foreign values and other format versions", () => {
    const valid = encodeEntry(createEntry(1, { ttl: 1 }, NOW)) as string;
    const corrupt = [
      "garbage",
      '{"body":"a foreign JSON value"}',
      "not json\n1",
      valid.replace('"v":1', '"v":2'),
      valid.replace(/"f":\d+/, '"f":"soon"'),
      `${valid.split("\n")[0]}\n{truncated`,
      '{"v":1,"f":1,"s":1,"e":1,"t":"user:1"}\n1',
    ];
    for (const payload of corrupt) expect(() => decodeEntry("k", payload), payload).toThrow(CorruptEntryError);
  });
});
