import type { ColumnType, Generated, Selectable } from "kysely";

/** An image archive uploaded for a scan, until a worker has analysed it (its bytes are in image_upload_chunks). */
export interface ImageUploadsTable {
  id: Generated<string>;
  owner_id: string;
  /** `sha256:<hex>` of the archive's bytes: what the scan's input names. */
  digest: string;
  /** Bytes; pg returns bigint as text. */
  size: ColumnType<string, number | undefined, number>;
  /** False until every chunk is written: an incomplete upload is never read. */
  complete: Generated<boolean>;
  created_at: Generated<Date>;
}
export type ImageUploadRow = Selectable<ImageUploadsTable>;

/** One piece of an upload's bytes, `seq` from 0 in order. */
export interface ImageUploadChunksTable {
  upload_id: string;
  seq: number;
  data: Buffer;
}
