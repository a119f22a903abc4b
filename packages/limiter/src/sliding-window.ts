/**
 * Sliding-window arithmetic on sub-buckets, shared by the in-process fallback and mirrored by `lua/check.lua`.
 *
 * A window of W ms keeps its usage in buckets of B ms (field = floor(t / B)). A unit counts while its bucket
 * overlaps (now − W, now], i.e. until (bucket + 1) · B + W. Counting the oldest, partly-outside bucket in full
 * means no interval of length W ever holds more than the limit (no double burst at a boundary); the price is
 * that a unit may count up to B ms longer than W.
 */

/** Buckets per window: bounds a window's hash at 61 fields whatever its limit. */
export const BUCKETS_PER_WINDOW = 60;

/** Bucket width for a window: a sixtieth of it, in whole seconds (1 s for a minute, 60 s for an hour). */
export function bucketWidthMs(windowSeconds: number): number {
  return Math.max(1, Math.ceil(windowSeconds / BUCKETS_PER_WINDOW)) * 1000;
}

/** The bucket a unit consumed at `nowMs` goes into. */
export function bucketIndex(nowMs: number, bucketMs: number): number {
  return Math.floor(nowMs / bucketMs);
}

/** The oldest bucket still counted at `nowMs`: the one that holds `nowMs − window`. */
export function oldestCountedBucket(nowMs: number, windowMs: number, bucketMs: number): number {
  return Math.floor((nowMs - windowMs) / bucketMs);
}

/** When the units in `bucket` stop counting. */
export function bucketExpiresAtMs(bucket: number, windowMs: number, bucketMs: number): number {
  return (bucket + 1) * bucketMs + windowMs;
}

/**
 * How many units must leave the window before the answer to "when?" changes: enough to admit `cost`
 * if it does not fit now, otherwise one (the next capacity freed). 0 for an empty window.
 */
export function unitsToFree(used: number, limit: number, cost: number): number {
  if (used <= 0) return 0;
  const remaining = limit - used;
  const target = Math.min(limit, Math.max(cost, remaining + 1));
  return target - remaining;
}

/** Sum of the counted buckets at `nowMs`. Buckets may hold negative adjustments; usage never goes below 0. */
export function countedUsage(buckets: ReadonlyMap<number, number>, nowMs: number, windowMs: number, bucketMs: number): number {
  const oldest = oldestCountedBucket(nowMs, windowMs, bucketMs);
  let used = 0;
  for (const [bucket, units] of buckets) if (bucket >= oldest) used += units;
  return Math.max(0, used);
}

/** ms until `needed` units have left the window, oldest bucket first; 0 when nothing is needed. */
export function msUntilFreed(
  buckets: ReadonlyMap<number, number>,
  needed: number,
  nowMs: number,
  windowMs: number,
  bucketMs: number,
): number {
  if (needed <= 0) return 0;
  const oldest = oldestCountedBucket(nowMs, windowMs, bucketMs);
  const counted = [...buckets].filter(([bucket, units]) => bucket >= oldest && units > 0).sort((a, b) => a[0] - b[0]);
  let freed = 0;
  let last = bucketIndex(nowMs, bucketMs);
  for (const [bucket, units] of counted) {
    freed += units;
    last = bucket;
    if (freed >= needed) break;
  }
  return bucketExpiresAtMs(last, windowMs, bucketMs) - nowMs;
}
