/**
 * One sliding window as the Lua scripts keep it in a subject's hash (layout: `lua/includes/sliding-buckets.lua`):
 * every stored bucket, oldest first (some may have stopped counting since the last write). The scripts are its
 * only writers; this reader is for inspection (tests, debugging).
 */
export interface SlidingWindowState {
  buckets: Map<number, number>;
}

const SUMMARY_BYTES = 32;
const PAIR_BYTES = 12;

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
  if (first?.[0] !== oldest || first[1] !== oldestUnits)
    throw new Error(`summary's oldest bucket ${oldest}×${oldestUnits} is not the first`);
  pairs.forEach(([bucket, units], i) => {
    if (units <= 0) throw new Error(`bucket ${bucket} holds ${units}`);
    if (i > 0 && (pairs[i - 1]?.[0] ?? 0) >= bucket) throw new Error("buckets out of order");
  });
  return { buckets: new Map(pairs) };
}
