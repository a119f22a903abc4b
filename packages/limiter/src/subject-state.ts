/**
 * A subject's limiter state as the Lua scripts keep it (one HASH per subject, see `subjectKey`). The scripts are
 * its only writers; this reader is for inspection (tests, debugging).
 */
export interface SubjectState {
  /** When the key expires, ms since epoch (it only ever moves later). */
  expiresAtMs: number | undefined;
  /** Sliding windows by field (`<name>:<seconds>s`). */
  sliding: Map<string, SlidingRecord>;
  /** Calendar-month counters by field (`<name>:<YYYY-MM>`). */
  months: Map<string, number>;
}

/**
 * One sliding window's record: a little-endian float64 total, then one (uint32 bucket index, float64 units)
 * pair per non-empty bucket, oldest first.
 */
export interface SlidingRecord {
  /** Sum of every stored pair (some may have stopped counting since the last write). */
  total: number;
  /** Units per bucket index, in stored order. */
  buckets: Map<number, number>;
}

const HEAD_BYTES = 8;
const PAIR_BYTES = 12;
const MONTH_FIELD = /:\d{4}-\d{2}$/;

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

/** Decodes a subject's hash as HGETALL returns it in buffers (`redis.hgetallBuffer(key)`). */
export function decodeSubjectState(fields: Record<string, Buffer>): SubjectState {
  const state: SubjectState = { expiresAtMs: undefined, sliding: new Map(), months: new Map() };
  for (const [field, value] of Object.entries(fields)) {
    if (field === "x") state.expiresAtMs = Number(value.toString());
    else if (MONTH_FIELD.test(field)) state.months.set(field, Number(value.toString()));
    else state.sliding.set(field, decodeSlidingRecord(value));
  }
  return state;
}
