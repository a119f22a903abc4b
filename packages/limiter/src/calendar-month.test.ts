import { describe, expect, it } from "vitest";
import { calendarMonth } from "./calendar-month.js";

describe("calendarMonth", () => {
  it("is the UTC month, whatever the local time zone", () => {
    const month = calendarMonth(Date.UTC(2031, 0, 31, 23, 59, 59, 999));
    expect(month).toEqual({ label: "2031-01", startMs: Date.UTC(2031, 0, 1), endMs: Date.UTC(2031, 1, 1) });
  });

  it("rolls over at 00:00:00.000 UTC on the 1st", () => {
    expect(calendarMonth(Date.UTC(2031, 1, 1) - 1).label).toBe("2031-01");
    expect(calendarMonth(Date.UTC(2031, 1, 1)).label).toBe("2031-02");
  });

  it("handles December and leap years", () => {
    expect(calendarMonth(Date.UTC(2030, 11, 15))).toMatchObject({ label: "2030-12", endMs: Date.UTC(2031, 0, 1) });
    const leapFebruary = calendarMonth(Date.UTC(2032, 1, 10));
    expect((leapFebruary.endMs - leapFebruary.startMs) / 86_400_000).toBe(29);
  });

  it("answers correctly when asked about another month after a cached one", () => {
    expect(calendarMonth(Date.UTC(2031, 4, 2)).label).toBe("2031-05");
    expect(calendarMonth(Date.UTC(2029, 4, 2)).label).toBe("2029-05");
    expect(calendarMonth(Date.UTC(2031, 4, 3)).label).toBe("2031-05");
  });
});
