import { describe, expect, it } from "vitest";
import { taggedLoader } from "./cached-entries.js";

describe("taggedLoader", () => {
  it("loads the entry and hands its tags to tagsOf; not found loads as null with no tags", async () => {
    const found = taggedLoader(async () => ({ entry: { id: 1 }, tags: ["scan:1", "pkg:npm/lodash"] }));
    expect(found.tagsOf()).toEqual([]);
    expect(await found.loader()).toEqual({ id: 1 });
    expect(found.tagsOf()).toEqual(["scan:1", "pkg:npm/lodash"]);

    const missing = taggedLoader(async () => undefined);
    expect(await missing.loader()).toBeNull();
    expect(missing.tagsOf()).toEqual([]);
  });
});
