import { describe, expect, it } from "vitest";
import { createMetrics } from "./create-metrics.js";

interface Check {
  subject: string;
  tier: "free" | "pro";
  policy: string;
}

describe("limiterHooks", () => {
  it("counts denied decisions by the tier and endpoint the caller maps a check to", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const hooks = metrics.limiterHooks((check: Check) => ({ tier: check.tier, endpoint: check.policy }));
    hooks.onDecision({ subject: "user:1", tier: "free", policy: "requests_per_minute" }, { outcome: "denied" });
    hooks.onDecision({ subject: "user:1", tier: "free", policy: "requests_per_minute" }, { outcome: "denied" });
    hooks.onDecision({ subject: "user:2", tier: "pro", policy: "scans_per_hour" }, { outcome: "denied" });
    hooks.onDecision({ subject: "user:3", tier: "pro", policy: "scans_per_hour" }, { outcome: "allowed" });
    hooks.onDecision({ subject: "user:3", tier: "pro", policy: "scans_per_hour" }, { outcome: "degraded" });
    expect((await metrics.rateLimitExceeded.get()).values.map(({ labels, value }) => ({ labels, value }))).toEqual([
      { labels: { tier: "free", endpoint: "requests_per_minute" }, value: 2 },
      { labels: { tier: "pro", endpoint: "scans_per_hour" }, value: 1 },
    ]);
  });

  it("counts limiter failures by operation", async () => {
    const metrics = createMetrics({ service: "api", defaultMetrics: false });
    const hooks = metrics.limiterHooks(() => ({ tier: "free", endpoint: "scans" }));
    hooks.onError("check", new Error("ECONNREFUSED"));
    expect((await metrics.rateLimitErrors.get()).values).toMatchObject([{ labels: { operation: "check" }, value: 1 }]);
    expect((await metrics.rateLimitExceeded.get()).values).toEqual([]);
  });
});
