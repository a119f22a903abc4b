/**
 * A subject's limiter state as the Lua scripts keep it (one HASH per subject, see `subjectKey`; the layout is
 * described in `lua/check.lua` and `lua/includes/sliding-buckets.lua`). The scripts are its only writers; this
 * reader is for inspection (tests, debugging).
 */
export interface SubjectState {
  /** When the key expires, ms since epoch (it only ever moves later). */
  expiresAtMs: number | undefined;
  /** Sliding windows by field (`<name>:<seconds>s`). */
  sliding: Map<string, SlidingWindowState>;
  /** Calendar-month counters by field (`<name>:<YYYY-MM>`). */
  months: Map<string, number>;
}

/** One sliding window: every stored bucket, oldest first (some may have stopped counting since the last write). */
export interface SlidingWindowState {
  buckets: Map<number, number>;
}

const SUMMARY_BYTES = 32;
const PAIR_BYTES = 12;
const MONTH_FIELD = /:\d{4}-\d{2}$/;
const RECORD_SUFFIX = ":r";

/**
 * Decodes a sliding window from its summary and record fields; throws where the two disagree (the summary's
 * closed units, oldest and current bucket must match the record), so tests can rely on it.
 */
export function decodeSlidingWindow(summary: Buffer, record: Buffer | null): SlidingWindowState {
  if (summary.length !== SUMMARY_BYTES) throw new Error(`not a sliding-window summary: ${summary.length} bytes`);
  const closed = summary.readDoubleLE(0);
  const oldest = summary.readUInt32LE(8);
  const oldestUnits = summary.readDoubleLE(12);
  const current = summary.readUInt32LE(20);
  const currentUnits = summary.readDoubleLE(24);
  const raw = record ?? Buffer.alloc(0);
  if (raw.length % PAIR_BYTES !== 0) throw new Error(`not a sliding-window record: ${raw.length} bytes`);
  const pairs: Array<[number, number]> = [];
  for (let pos = 0; pos < raw.length; pos += PAIR_BYTES) pairs.push([raw.readUInt32LE(pos), raw.readDoubleLE(pos + 4)]);
  const sum = pairs.reduce((total, [, units]) => total + units, 0);
  if (sum !== closed) throw new Error(`summary says ${closed} closed units, the record holds ${sum}`);
  pairs.push([current, currentUnits]);
  const [first] = pairs;
  if (first?.[0] !== oldest || first[1] !== oldestUnits) throw new Error(`summary's oldest bucket ${oldest}×${oldestUnits} is not the first`);
  pairs.forEach(([bucket, units], i) => {
    if (units <= 0) throw new Error(`bucket ${bucket} holds ${units}`);
    if (i > 0 && (pairs[i - 1]?.[0] ?? 0) >= bucket) throw new Error("buckets out of order");
  });
  return { buckets: new Map(pairs) };
}

/** Decodes a subject's hash as HGETALL returns it in buffers (`redis.hgetallBuffer(key)`). */
export function decodeSubjectState(fields: Record<string, Buffer>): SubjectState {
  const state: SubjectState = { expiresAtMs: undefined, sliding: new Map(), months: new Map() };
  for (const [field, value] of Object.entries(fields)) {
    if (field === "x") state.expiresAtMs = Number(value.toString());
    else if (MONTH_FIELD.test(field)) state.months.set(field, Number(value.toString()));
    else if (!field.endsWith(RECORD_SUFFIX)) state.sliding.set(field, decodeSlidingWindow(value, fields[`${field}${RECORD_SUFFIX}`] ?? null));
  }
  return state;
}
