import { sql } from "kysely";
import type { Db, DbExecutor } from "../schema/database.js";
import type { ImageUploadRow } from "../schema/image-uploads.table.js";

/** Bytes per stored chunk: large enough to keep the row count low, small enough to hold one in memory on either side. */
export const IMAGE_UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

/** Who uploaded an archive and its `sha256:<hex>` (computed by the caller while it received the bytes). */
export interface ImageUploadOwner {
  ownerId: string;
  digest: string;
}

/** A stored, complete upload. */
export interface StoredImageUpload {
  id: string;
  size: number;
}

/**
 * Stores an archive's bytes in chunks of about `chunkBytes`, one statement per chunk, so that the archive is never
 * whole in memory and no transaction stays open for its length. The row becomes `complete` only after the last
 * chunk; an upload that fails half-way is deleted (and, if even that fails, swept later as an orphan).
 */
export async function storeImageUpload(
  db: Db,
  owner: ImageUploadOwner,
  source: AsyncIterable<Uint8Array>,
  chunkBytes = IMAGE_UPLOAD_CHUNK_BYTES,
): Promise<StoredImageUpload> {
  const { id } = await db
    .insertInto("image_uploads")
    .values({ owner_id: owner.ownerId, digest: owner.digest })
    .returning("id")
    .executeTakeFirstOrThrow();
  try {
    let size = 0;
    let seq = 0;
    for await (const data of rechunked(source, chunkBytes)) {
      await db.insertInto("image_upload_chunks").values({ upload_id: id, seq, data }).execute();
      seq += 1;
      size += data.length;
    }
    await db.updateTable("image_uploads").set({ complete: true, size }).where("id", "=", id).execute();
    return { id, size };
  } catch (error) {
    await deleteImageUpload(db, id).catch(() => undefined);
    throw error;
  }
}

/** A complete upload by id, if it exists and belongs to `owner` (same owner, same digest). */
export async function findImageUpload(db: DbExecutor, id: string, owner: ImageUploadOwner): Promise<ImageUploadRow | undefined> {
  return db
    .selectFrom("image_uploads")
    .selectAll()
    .where("id", "=", id)
    .where("owner_id", "=", owner.ownerId)
    .where("digest", "=", owner.digest)
    .where("complete", "=", true)
    .executeTakeFirst();
}

/** The bytes of an upload in order, one chunk read (and held) at a time. */
export async function* readImageUpload(db: DbExecutor, id: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ; seq++) {
    const row = await db
      .selectFrom("image_upload_chunks")
      .select("data")
      .where("upload_id", "=", id)
      .where("seq", "=", seq)
      .executeTakeFirst();
    if (!row) return;
    yield row.data;
  }
}

/** Deletes an upload and its chunks; true if it existed. */
export async function deleteImageUpload(db: DbExecutor, id: string): Promise<boolean> {
  const deleted = await db.deleteFrom("image_uploads").where("id", "=", id).executeTakeFirst();
  return deleted.numDeletedRows > 0n;
}

/** Deletes uploads older than `ageSeconds` that no run consumed (a crash between upload and run); returns how many. */
export async function deleteOrphanedImageUploads(db: DbExecutor, ageSeconds: number): Promise<number> {
  const deleted = await db
    .deleteFrom("image_uploads")
    .where("created_at", "<", sql<Date>`now() - make_interval(secs => ${ageSeconds})`)
    .executeTakeFirst();
  return Number(deleted.numDeletedRows);
}

/** Joins a stream's pieces into chunks of exactly `size` bytes (the last one shorter), copying each byte once. */
async function* rechunked(source: AsyncIterable<Uint8Array>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of source) {
    let rest = Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    while (pendingBytes + rest.length >= size) {
      const take = size - pendingBytes;
      pending.push(rest.subarray(0, take));
      yield Buffer.concat(pending, size);
      rest = rest.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (rest.length > 0) {
      // A copy: the source may reuse its buffer for the next piece.
      pending.push(Buffer.from(rest));
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}
