import { type Db, createDb, createPool, findAdvisorySnapshot } from "@secapi/db";
import { type TestDatabase, createTestDatabase, npmAdvisory } from "@secapi/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdvisoryCache, parseAdvisories, storeAdvisories } from "../src/index.js";

let database: TestDatabase;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase();
  db = createDb(createPool({ connectionString: database.url, max: 5 }));
});
afterAll(async () => {
  await db.destroy();
  await database.drop();
});

const store = async (...fixtures: ReturnType<typeof npmAdvisory>[]) => {
  const { advisories } = parseAdvisories(fixtures.map((json, i) => ({ source: String(i), json })));
  return (await storeAdvisories(db, advisories)).stored.revision;
};
const npm = (...names: string[]) => names.map((name) => ({ ecosystem: "npm", name }));
const ids = (advisories: readonly { id: string; modified: string }[]) => advisories.map((a) => `${a.id}@${a.modified}`).sort();

describe("AdvisoryCache", () => {
  it("answers what a snapshot read answers, reuses unchanged copies, and rereads a package as soon as an import changes it", async () => {
    await store(
      npmAdvisory("GHSA-c-lodash", "lodash", "4.17.21", "2024-01-01T00:00:00Z"),
      npmAdvisory("GHSA-c-minimist", "minimist", "1.2.6", "2024-01-01T00:00:00Z"),
      npmAdvisory("GHSA-c-express", "express", "4.19.2", "2024-01-01T00:00:00Z"),
    );
    const cache = new AdvisoryCache();
    const packages = npm("lodash", "minimist", "left-pad", "lodash");
    const first = await cache.snapshot(db, packages);
    const direct = await findAdvisorySnapshot(db, npm("lodash", "minimist", "left-pad"));
    expect(first.revision).toBe(direct.revision);
    expect(ids(first.advisories)).toEqual(ids(direct.advisories as { id: string; modified: string }[]));
    expect(ids(first.advisories)).toEqual(["GHSA-c-lodash@2024-01-01T00:00:00Z", "GHSA-c-minimist@2024-01-01T00:00:00Z"]);

    // Nothing changed: the very same parsed objects, no read of the advisories.
    const again = await cache.snapshot(db, packages);
    expect(again.revision).toBe(first.revision);
    expect(again.advisories.find((a) => a.id === "GHSA-c-lodash")).toBe(first.advisories.find((a) => a.id === "GHSA-c-lodash"));

    // A change to another package moves the revision; lodash's copy stays valid and is reused.
    const unrelated = await store(npmAdvisory("GHSA-c-express", "express", "4.19.3", "2024-02-01T00:00:00Z"));
    const afterUnrelated = await cache.snapshot(db, packages);
    expect(afterUnrelated.revision).toBe(unrelated);
    expect(afterUnrelated.advisories.find((a) => a.id === "GHSA-c-lodash")).toBe(first.advisories.find((a) => a.id === "GHSA-c-lodash"));

    // lodash's advisory modified, a new one for left-pad, minimist's withdrawn: the next lookup sees all three.
    const changed = await store(
      npmAdvisory("GHSA-c-lodash", "lodash", "4.17.22", "2024-03-01T00:00:00Z"),
      npmAdvisory("GHSA-c-left-pad", "left-pad", "1.3.0", "2024-03-01T00:00:00Z"),
      npmAdvisory("GHSA-c-minimist", "minimist", "1.2.6", "2024-03-01T00:00:00Z", { withdrawn: "2024-03-01T00:00:00Z" }),
    );
    const afterChange = await cache.snapshot(db, packages);
    expect(afterChange.revision).toBe(changed);
    expect(ids(afterChange.advisories)).toEqual(["GHSA-c-left-pad@2024-03-01T00:00:00Z", "GHSA-c-lodash@2024-03-01T00:00:00Z"]);
    expect(ids(afterChange.advisories)).toEqual(
      ids((await findAdvisorySnapshot(db, packages)).advisories as { id: string; modified: string }[]),
    );
  });

  it("stays correct when it holds fewer advisories than a scan needs, and when scans overlap", async () => {
    await store(
      npmAdvisory("GHSA-s-a", "small-a", "1.0.1", "2024-01-01T00:00:00Z"),
      npmAdvisory("GHSA-s-b", "small-b", "1.0.1", "2024-01-01T00:00:00Z"),
      npmAdvisory("GHSA-s-c", "small-c", "1.0.1", "2024-01-01T00:00:00Z"),
    );
    const cache = new AdvisoryCache(1);
    const packages = npm("small-a", "small-b", "small-c");
    const expected = ["GHSA-s-a@2024-01-01T00:00:00Z", "GHSA-s-b@2024-01-01T00:00:00Z", "GHSA-s-c@2024-01-01T00:00:00Z"];
    for (let i = 0; i < 3; i++) expect(ids((await cache.snapshot(db, packages)).advisories)).toEqual(expected);
    expect(cache.size).toBeLessThanOrEqual(1);

    const overlapping = await Promise.all([
      cache.snapshot(db, npm("small-a", "small-b")),
      cache.snapshot(db, npm("small-b", "small-c")),
      store(npmAdvisory("GHSA-s-b", "small-b", "1.0.2", "2024-02-01T00:00:00Z")),
      cache.snapshot(db, packages),
    ]);
    expect(overlapping[0].advisories).toHaveLength(2);
    expect(overlapping[1].advisories).toHaveLength(2);
    // After the import committed, every lookup sees its copy.
    expect(ids((await cache.snapshot(db, packages)).advisories)).toContain("GHSA-s-b@2024-02-01T00:00:00Z");
  });
});
