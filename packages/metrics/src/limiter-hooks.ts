import type { Counter } from "prom-client";

/**
 * What `@secapi/limiter` reports. The limiter declares the same shape itself (structural typing), so it never
 * imports prom-client. `C` is the limiter's check type; it defaults to the part the hooks rely on.
 */
export interface LimiterMetricsHooks<C extends { subject: string } = { subject: string }> {
  /** One limit decision; only `outcome: "denied"` (a 429) is counted. */
  onDecision(check: C, decision: { outcome: string }): void;
  /** The limiter's Redis failed and the fail mode decided instead. */
  onError(operation: string, error: unknown): void;
}

/** Maps a check to the labels of `secapi_rate_limit_exceeded_total`. Keep both values from small fixed sets. */
export type LimiterLabels<C extends { subject: string } = { subject: string }> = (check: C) => { tier: string; endpoint: string };

/** The series the limiter hooks write to. */
export interface LimiterMetricSeries {
  exceeded: Counter<"tier" | "endpoint">;
  errors: Counter<"operation">;
}

/** Limiter hooks over the given series. */
export function createLimiterHooks<C extends { subject: string }>(
  series: LimiterMetricSeries,
  labels: LimiterLabels<C>,
): LimiterMetricsHooks<C> {
  return {
    onDecision: (check, decision) => {
      if (decision.outcome === "denied") series.exceeded.inc(labels(check));
    },
    onError: (operation) => series.errors.inc({ operation }),
  };
}
