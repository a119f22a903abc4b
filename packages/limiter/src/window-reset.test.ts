import { describe, expect, it } from "vitest";
import type { WindowState } from "./limit-window.js";
import { windowResetAtMs } from "./window-reset.js";

const hour = (resetSeconds: number): WindowState => ({
  name: "scans-hour",
  kind: "sliding",
  windowSeconds: 3600,
  limit: 10,
  used: 10,
  remaining: 0,
  resetSeconds,
});
const month = (resetSeconds: number): WindowState => ({
  name: "scans-month",
  kind: "calendar-month",
  limit: 100,
  used: 100,
  remaining: 0,
  resetSeconds,
});

describe("windowResetAtMs", () => {
  it("gives one instant for a sliding window however the decision's seconds were rounded and whenever it is read", () => {
    // The window frees at a bucket boundary (a whole minute for an hour window).
    const frees = Date.UTC(2031, 4, 2, 10, 37);
    const answers = [0, 1, 499, 500, 999, 1000, 20_000].flatMap((sinceDecision) =>
      [1, 250, 999, 1000, 61_000].map((before) => {
        const decidedAt = frees - before * 37;
        return windowResetAtMs(hour(Math.ceil((frees - decidedAt) / 1000)), decidedAt + sinceDecision);
      }),
    );
    expect(new Set(answers)).toEqual(new Set([frees]));
  });

  it("tells apart windows that free a bucket apart", () => {
    const frees = Date.UTC(2031, 4, 2, 10, 37);
    const now = frees - 600_000;
    expect(windowResetAtMs(hour(600), now)).toBe(frees);
    expect(windowResetAtMs(hour(660), now)).toBe(frees + 60_000);
  });

  it("gives the first instant of the next UTC month for a calendar month", () => {
    const end = Date.UTC(2031, 1, 1);
    for (const now of [Date.UTC(2031, 0, 1), Date.UTC(2031, 0, 31, 23, 59, 59, 400), end - 1]) {
      expect(windowResetAtMs(month(Math.ceil((end - now) / 1000)), now)).toBe(end);
    }
  });
});
