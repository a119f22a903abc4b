import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { type AdvisoryRecord, countAdvisories, findAdvisoriesForPackages, upsertAdvisories } from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db } = fixture;
afterAll(() => fixture.close());
beforeEach(async () => {
  await db.deleteFrom("advisories").execute();
});

function advisory(id: string, modified: string, packages: string[], extra: Partial<AdvisoryRecord> = {}): AdvisoryRecord {
  return {
    id,
    modified,
    data: JSON.stringify({ id, modified, note: `copy of ${modified}` }),
    packages: packages.map((name) => ({ ecosystem: "npm", name })),
    ...extra,
  };
}

const ids = (rows: unknown[]) => rows.map((r) => (r as { id: string }).id).sort();
const notes = (rows: unknown[]) => rows.map((r) => (r as { note: string }).note);

describe("advisories", () => {
  it("looks advisories up by (ecosystem, name)", async () => {
    await upsertAdvisories(db, [
      advisory("GHSA-1", "2024-01-01T00:00:00Z", ["lodash", "lodash-es"]),
      advisory("GHSA-2", "2024-01-01T00:00:00Z", ["minimist"]),
      { ...advisory("PYSEC-1", "2024-01-01T00:00:00Z", []), packages: [{ ecosystem: "PyPI", name: "lodash" }] },
    ]);
    expect(ids(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "lodash" }]))).toEqual(["GHSA-1"]);
    expect(
      ids(
        await findAdvisoriesForPackages(db, [
          { ecosystem: "npm", name: "lodash-es" },
          { ecosystem: "npm", name: "minimist" },
        ]),
      ),
    ).toEqual(["GHSA-1", "GHSA-2"]);
    expect(ids(await findAdvisoriesForPackages(db, [{ ecosystem: "PyPI", name: "lodash" }]))).toEqual(["PYSEC-1"]);
    expect(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "left-pad" }])).toEqual([]);
    expect(await findAdvisoriesForPackages(db, [])).toEqual([]);
  });

  it("replaces a copy of the same modified only when a newer parser prepared it", async () => {
    await upsertAdvisories(db, [advisory("GHSA-P", "2024-02-01T00:00:00Z", ["pkg-p"], { parserVersion: 1 })]);
    const sameParser = await upsertAdvisories(db, [
      { ...advisory("GHSA-P", "2024-02-01T00:00:00Z", ["pkg-p"]), parserVersion: 1, data: JSON.stringify({ note: "again" }) },
    ]);
    expect(sameParser.written).toBe(0);
    const newerParser = await upsertAdvisories(db, [
      { ...advisory("GHSA-P", "2024-02-01T00:00:00Z", ["pkg-p"]), parserVersion: 2, data: JSON.stringify({ note: "reparsed" }) },
    ]);
    expect(newerParser).toMatchObject({ written: 1, affected: [{ ecosystem: "npm", name: "pkg-p" }] });
    expect(notes(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "pkg-p" }]))).toEqual(["reparsed"]);
    const olderParser = await upsertAdvisories(db, [
      { ...advisory("GHSA-P", "2024-02-01T00:00:00Z", ["pkg-p"]), parserVersion: 1, data: JSON.stringify({ note: "old" }) },
    ]);
    expect(olderParser.written).toBe(0);
  });

  it("keeps the newest copy: a newer modified replaces, an older or equal one is skipped", async () => {
    await upsertAdvisories(db, [advisory("GHSA-1", "2024-02-01T00:00:00Z", ["lodash"])]);
    const older = await upsertAdvisories(db, [advisory("GHSA-1", "2024-01-01T00:00:00Z", ["lodash"])]);
    expect(older).toMatchObject({ written: 0, skipped: 1, affected: [] });
    const same = await upsertAdvisories(db, [advisory("GHSA-1", "2024-02-01T00:00:00Z", ["lodash"])]);
    expect(same.written).toBe(0);
    expect(notes(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "lodash" }]))).toEqual(["copy of 2024-02-01T00:00:00Z"]);

    const newer = await upsertAdvisories(db, [advisory("GHSA-1", "2024-03-01T00:00:00Z", ["lodash-es"])]);
    expect(newer.written).toBe(1);
    // Both the package it named before and the one it names now are affected.
    expect(newer.affected.map((p) => p.name).sort()).toEqual(["lodash", "lodash-es"]);
    expect(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "lodash" }])).toEqual([]);
    expect(notes(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "lodash-es" }]))).toEqual(["copy of 2024-03-01T00:00:00Z"]);
  });

  it("takes the newest of duplicates within one import", async () => {
    const result = await upsertAdvisories(db, [
      advisory("GHSA-9", "2024-01-01T00:00:00Z", ["a"]),
      advisory("GHSA-9", "2024-05-01T00:00:00Z", ["a"]),
      advisory("GHSA-9", "2024-03-01T00:00:00Z", ["a"]),
    ]);
    expect(result).toMatchObject({ written: 1, skipped: 2 });
    expect(notes(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "a" }]))).toEqual(["copy of 2024-05-01T00:00:00Z"]);
  });

  it("stops matching withdrawn advisories", async () => {
    await upsertAdvisories(db, [advisory("GHSA-W", "2024-01-01T00:00:00Z", ["jsonwebtoken"])]);
    const withdrawn = await upsertAdvisories(db, [
      advisory("GHSA-W", "2024-02-01T00:00:00Z", ["jsonwebtoken"], { withdrawn: "2024-02-01T00:00:00Z" }),
    ]);
    expect(withdrawn.affected).toEqual([{ ecosystem: "npm", name: "jsonwebtoken" }]);
    expect(await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "jsonwebtoken" }])).toEqual([]);
    expect(await countAdvisories(db)).toBe(1);
  });

  it("imports thousands of advisories in batches", async () => {
    const many = Array.from({ length: 2500 }, (_, i) =>
      advisory(`GHSA-${i}`, "2024-01-01T00:00:00Z", [`pkg-${i % 700}`, `pkg-${(i + 1) % 700}`]),
    );
    const result = await upsertAdvisories(db, many);
    expect(result.written).toBe(2500);
    expect(result.affected).toHaveLength(700);
    expect(await countAdvisories(db)).toBe(2500);
    expect((await findAdvisoriesForPackages(db, [{ ecosystem: "npm", name: "pkg-5" }])).length).toBeGreaterThanOrEqual(7);
  });
});
