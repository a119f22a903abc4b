import { afterEach, describe, expect, it, vi } from "vitest";
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

  describe("the header as written, read without JSON.parse", () => {
    afterEach(() => vi.restoreAllMocks());

    /** What the header line means to JSON.parse, the reference for every form. */
    const byJsonParse = (payload: string) => {
      const header = JSON.parse(payload.slice(0, payload.indexOf("\n"))) as { f: number; s: number; e: number; t: string[] };
      return {
        value: JSON.parse(payload.slice(payload.indexOf("\n") + 1)) as unknown,
        freshUntil: header.f,
        staleUntil: header.s,
        errorUntil: header.e,
        tags: header.t,
      };
    };

    it("reads every header the same as JSON.parse does, in the form it writes and in any other", () => {
      const tagSets = [[], ["scan:1"], ["a", "b"], ['quote"d', "back\\slash", "new\nline", "brace}", "bracket]", "ünï", "emoji 🚀"]];
      const times = [0, 7, 1_700_000_000_000, 999_999_999_999_999, 1_000_000_000_000_000, 1_700_000_000_000.5, 1e21, -5];
      for (const t of tagSets) {
        for (const f of times) {
          const entry = { value: { n: f }, freshUntil: f, staleUntil: f + 1, errorUntil: f + 2, tags: t };
          const payload = encodeEntry(entry) as string;
          expect(decodeEntry("k", payload), payload).toEqual(byJsonParse(payload));
        }
      }
      const others = [
        '{"v":1, "f":1,"s":2,"e":3,"t":[]}\n1',
        '{"v":1,"f":1,"s":2,"e":3,"t":["a"],"x":1}\n1',
        '{"t":["a"],"e":3,"s":2,"f":1,"v":1}\n1',
        '{"v":1,"f":1.0,"s":2,"e":3,"t":[]}\n1',
        '{"v":1,"f":1E3,"s":2,"e":3,"t":[]}\n1',
      ];
      for (const payload of others) expect(decodeEntry("k", payload), payload).toEqual(byJsonParse(payload));
    });

    it("rejects what JSON.parse would reject, however close to the written form", () => {
      for (const payload of [
        '{"v":1,"f":01,"s":2,"e":3,"t":[]}\n1',
        '{"v":1,"f":1,"s":2,"e":3,"t":[1]}\n1',
        '{"v":1,"f":1,"s":2,"e":3,"t":["a"]]}\n1',
        '{"v":1,"f":1,"s":2,"e":3,"t":[]\n1',
        '{"v":1,"f":1,"s":2,"e":,"t":[]}\n1',
        '{"v":1,"f":1,"s":2,"e":3,"t":[]}\n',
      ]) {
        expect(() => decodeEntry("k", payload), payload).toThrow(CorruptEntryError);
      }
    });

    it("parses only the value of an entry it wrote without tags", () => {
      const payload = encodeEntry(createEntry({ a: 1 }, { ttl: 10 }, NOW)) as string;
      const parse = vi.spyOn(JSON, "parse");
      expect(decodeEntry("k", payload).value).toEqual({ a: 1 });
      expect(parse).toHaveBeenCalledTimes(1);
    });
  });
});
