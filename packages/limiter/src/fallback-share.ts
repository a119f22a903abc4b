/**
 * What one process may admit on a window while Redis is unusable, when `processes` processes share the limit.
 *
 * Each process admits at most its share of what was left when it last saw the subject's usage in Redis:
 * `floor((limit − seen) / processes)` units. If every process saw the same usage `seen` (the usage Redis
 * held when it went away), the processes together admit at most `limit − seen`: never more than the limit.
 * A process that had seen less (or nothing) adds at most what it had not seen, divided by `processes`.
 *
 * The rule is kept in scaled units, which are linear (no rounding): a process whose own fallback usage is
 * `own` may take `cost` more iff `processes × (own + cost) + seen ≤ limit`. Scaled, its window is an ordinary
 * window of `limit` units holding `processes × own + seen`, so the sliding-window arithmetic applies unchanged.
 */
export interface FallbackShare {
  limit: number;
  /** Usage Redis reported in this process's last decision for the window, while it still counts (else 0). */
  seen: number;
  /** Live processes sharing the limit, at least 1. */
  processes: number;
}

/** Units this process may admit in all while the others may admit theirs: `floor((limit − seen) / processes)`, ≥ 0. */
export function fallbackAllowance({ limit, seen, processes }: FallbackShare): number {
  return Math.max(0, Math.floor((limit - seen) / processes));
}

/** Whether `cost` more units fit this process's share when it has admitted `own` already. */
export function fitsShare(share: FallbackShare, own: number, cost: number): boolean {
  return share.processes * (own + cost) + share.seen <= share.limit;
}

/**
 * The usage a fallback decision reports, such that `limit − used` is what this process will still admit and
 * `used + cost > limit` exactly when `cost` does not fit (the rule every decision follows). With one process it
 * is `seen + own`, the subject's whole known usage.
 */
export function reportedUsage(share: FallbackShare, own: number): number {
  return Math.max(share.seen, share.limit - fallbackAllowance(share)) + own;
}
