import { createHash, randomBytes } from "node:crypto";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deleteImageUpload, deleteOrphanedImageUploads, findImageUpload, readImageUpload, storeImageUpload } from "../src/index.js";
import { openTestDb } from "./db-fixture.js";

const fixture = await openTestDb();
const { db } = fixture;
afterAll(() => fixture.close());

let ownerId = "";
beforeAll(async () => {
  ({ id: ownerId } = await db
    .insertInto("users")
    .values({ email: "uploader@example.com", tier: "free" })
    .returning("id")
    .executeTakeFirstOrThrow());
});

const digestOf = (bytes: Buffer) => `sha256:${createHash("sha256").update(bytes).digest("hex")}`;

/** The bytes in pieces of uneven sizes, as a request body arrives. */
async function* pieces(bytes: Buffer, sizes: number[]): AsyncGenerator<Uint8Array> {
  let offset = 0;
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length] ?? 1;
    yield bytes.subarray(offset, offset + size);
    offset += size;
  }
}

async function readAll(id: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of readImageUpload(db, id)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe("image uploads", () => {
  it("round-trips an archive through fixed-size chunks, whatever pieces it arrived in", async () => {
    const bytes = randomBytes(10_000);
    const owner = { ownerId, digest: digestOf(bytes) };
    const stored = await storeImageUpload(db, owner, pieces(bytes, [1, 333, 4096, 7]), 1024);
    expect(stored.size).toBe(10_000);
    const { rows } = await sql<{ seq: number; len: number }>`
      SELECT seq, octet_length(data) AS len FROM image_upload_chunks WHERE upload_id = ${stored.id} ORDER BY seq
    `.execute(db);
    expect(rows.map((r) => r.len)).toEqual([...Array<number>(9).fill(1024), 10_000 - 9 * 1024]);
    expect((await readAll(stored.id)).equals(bytes)).toBe(true);
    expect(await findImageUpload(db, stored.id, owner)).toMatchObject({ complete: true, size: "10000" });
  });

  it("is found only by its owner and digest, and deleted with its chunks", async () => {
    const bytes = randomBytes(100);
    const owner = { ownerId, digest: digestOf(bytes) };
    const stored = await storeImageUpload(db, owner, pieces(bytes, [100]));
    expect(await findImageUpload(db, stored.id, { ...owner, digest: digestOf(Buffer.from("other")) })).toBeUndefined();
    const { id: otherUser } = await db
      .insertInto("users")
      .values({ email: "someone-else@example.com", tier: "free" })
      .returning("id")
      .executeTakeFirstOrThrow();
    expect(await findImageUpload(db, stored.id, { ...owner, ownerId: otherUser })).toBeUndefined();
    expect(await deleteImageUpload(db, stored.id)).toBe(true);
    expect(await findImageUpload(db, stored.id, owner)).toBeUndefined();
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM image_upload_chunks WHERE upload_id = ${stored.id}`.execute(db);
    expect(rows[0]?.n).toBe("0");
  });

  it("removes what it stored when the source fails half-way", async () => {
    const bytes = randomBytes(5000);
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield bytes.subarray(0, 3000);
      throw new Error("client went away");
    }
    await expect(storeImageUpload(db, { ownerId, digest: digestOf(bytes) }, failing(), 1024)).rejects.toThrow("client went away");
    const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM image_uploads WHERE digest = ${digestOf(bytes)}`.execute(db);
    expect(rows[0]?.n).toBe("0");
  });

  it("sweeps uploads older than the age given, and only those", async () => {
    const old = await storeImageUpload(db, { ownerId, digest: digestOf(Buffer.from("old")) }, pieces(Buffer.from("old"), [3]));
    const fresh = await storeImageUpload(db, { ownerId, digest: digestOf(Buffer.from("fresh")) }, pieces(Buffer.from("fresh"), [5]));
    await db
      .updateTable("image_uploads")
      .set({ created_at: sql<Date>`now() - interval '25 hours'` })
      .where("id", "=", old.id)
      .execute();
    expect(await deleteOrphanedImageUploads(db, 24 * 3600)).toBe(1);
    const left = await db.selectFrom("image_uploads").select("id").where("id", "in", [old.id, fresh.id]).execute();
    expect(left.map((r) => r.id)).toEqual([fresh.id]);
  });
});
