import { sql } from "kysely";
import { afterAll, describe, expect, it } from "vitest";
import { findUnstorableText } from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db } = fixture;
afterAll(() => fixture.close());

/** Whether Postgres stores `text` as text and inside jsonb, unchanged. */
async function postgresStores(text: string): Promise<boolean> {
  try {
    const { rows } = await sql<{
      t: string;
      j: { v: string };
    }>`SELECT ${text}::text AS t, ${JSON.stringify({ v: text })}::jsonb AS j`.execute(db);
    return rows[0]?.t === text && rows[0]?.j.v === text;
  } catch {
    return false;
  }
}

describe("findUnstorableText agrees with Postgres", () => {
  it.each([
    ["plain ASCII", "lodash"],
    ["NUL", "a\u0000b"],
    ["a lone high surrogate", "a\ud800b"],
    ["a lone low surrogate", "a\udc00b"],
    ["a trailing high surrogate", "ab\ud83d"],
    ["a surrogate pair", "a\ud83d\ude00b"],
    ["other C0 controls", "\u0001\u0007\u001f"],
    ["DEL and C1 controls", "\u007f\u0085"],
    ["noncharacters", "\ufffe\uffff"],
    ["BOM", "\ufeffx"],
  ])("%s", async (_name, text) => {
    expect(findUnstorableText(text).length === 0).toBe(await postgresStores(text));
  });
});
