/**
 * HTTP latency buckets (seconds), 1 ms to 10 s. Dense around 100 ms, the p95 alert threshold, so
 * `histogram_quantile` interpolates there between close bounds (75, 100 and 150 ms).
 */
export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];

/** Scan run buckets (seconds), 10 ms to 5 min: a small secrets scan up to a large SBOM. */
export const SCAN_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/** Cache operation buckets (seconds), 100 µs to 1 s: an L1 hit is microseconds, a Redis round trip about a millisecond. */
export const CACHE_OPERATION_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
