import { DEFAULT_TIER_LIMITS } from "@secapi/config";
import { describe, expect, it } from "vitest";
import { requestWindows, scanWindows, submissionRequestWindows } from "./tier-windows.js";

describe("tier windows", () => {
  const pro = DEFAULT_TIER_LIMITS.pro;

  it("reads a submission's scan quotas report-only, next to its request window", () => {
    expect(submissionRequestWindows(pro)).toEqual([
      { name: "minute", kind: "sliding", windowSeconds: 60, limit: pro.requests_per_minute },
      { name: "scans-hour", kind: "sliding", windowSeconds: 3600, limit: pro.scans_per_hour, reportOnly: true },
      { name: "scans-month", kind: "calendar-month", limit: pro.scans_per_month, reportOnly: true },
    ]);
    expect(scanWindows(pro).some((window) => window.reportOnly)).toBe(false);
  });

  it("builds each list once, frozen, so that nobody can change what every request shares", () => {
    expect(requestWindows(500)).toBe(requestWindows(500));
    expect(scanWindows(pro)).toBe(scanWindows(pro));
    expect(submissionRequestWindows(pro)).toBe(submissionRequestWindows(pro));
    for (const list of [requestWindows(500), scanWindows(pro), submissionRequestWindows(pro)]) {
      expect(Object.isFrozen(list) && list.every((window) => Object.isFrozen(window))).toBe(true);
    }
    expect(scanWindows({ ...pro, scans_per_hour: 1 })[0]?.limit).toBe(1);
  });
});
