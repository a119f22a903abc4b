/**
 * The Redis record of one sliding window, as `lua/check.lua` writes it: a little-endian float64 total, then
 * one (uint32 bucket index, float64 units) pair per non-empty bucket, oldest first. The scripts are its only
 * writers; this reader is for inspection (tests, debugging).
 */
export interface SlidingRecord {
  /** Sum of every stored pair (some may have stopped counting since the last write). */
  total: number;
  /** Units per bucket index, in stored order. */
  buckets: Map<number, number>;
}

const HEAD_BYTES = 8;
const PAIR_BYTES = 12;

/** Decodes a sliding window's record; throws on a malformed one. */
export function decodeSlidingRecord(record: Buffer): SlidingRecord {
  if (record.length < HEAD_BYTES || (record.length - HEAD_BYTES) % PAIR_BYTES !== 0) {
    throw new Error(`not a sliding-window record: ${record.length} bytes`);
  }
  const buckets = new Map<number, number>();
  for (let pos = HEAD_BYTES; pos < record.length; pos += PAIR_BYTES) {
    buckets.set(record.readUInt32LE(pos), record.readDoubleLE(pos + 4));
  }
  return { total: record.readDoubleLE(0), buckets };
}
