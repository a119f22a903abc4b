import { describe, expect, it } from "vitest";
import { checkedCurrency, currencyOf, isCurrent } from "./result-currency.js";

describe("isCurrent", () => {
  const now = Date.parse("2026-12-02T12:00:00Z");

  it("serves a value stamped at or after the newest revision this process knows, and nothing older", () => {
    expect(isCurrent({ advisoryRevision: 7 }, 7, now)).toBe(true);
    expect(isCurrent({ advisoryRevision: 8 }, 7, now)).toBe(true);
    expect(isCurrent({ advisoryRevision: 6 }, 7, now)).toBe(false);
  });

  it("verifies everything stamped while the newest revision is unknown (Infinity)", () => {
    expect(isCurrent({ advisoryRevision: 1_000_000 }, Number.POSITIVE_INFINITY, now)).toBe(false);
    expect(isCurrent({ advisoryRevision: null }, Number.POSITIVE_INFINITY, now)).toBe(true);
  });

  it("never depends on the revision for a value that covers no packages", () => {
    expect(isCurrent({ advisoryRevision: null }, 99, now)).toBe(true);
  });

  it("stops at validUntil, whatever the revision", () => {
    expect(isCurrent({ advisoryRevision: 7, validUntil: "2026-12-02T12:00:01Z" }, 7, now)).toBe(true);
    expect(isCurrent({ advisoryRevision: 7, validUntil: "2026-12-02T12:00:00Z" }, 7, now)).toBe(false);
    expect(isCurrent({ advisoryRevision: null, validUntil: "2026-12-01T00:00:00Z" }, 0, now)).toBe(false);
  });

  it("verifies a value cached before stamps existed (no revision at all)", () => {
    expect(isCurrent({} as never, 0, now)).toBe(false);
  });
});

describe("checkedCurrency and currencyOf", () => {
  it("stamps with the checked revision (pg gives bigint as a string) and keeps the earliest end", () => {
    expect(checkedCurrency("12", [null, new Date("2027-01-02T00:00:00Z"), "2027-01-01T00:00:00Z", undefined])).toEqual({
      advisoryRevision: 12,
      validUntil: "2027-01-01T00:00:00.000Z",
    });
    expect(checkedCurrency(3)).toEqual({ advisoryRevision: 3 });
  });

  it("leaves a result that covers no packages unstamped", () => {
    expect(currencyOf([], "5", null)).toEqual({ advisoryRevision: null });
    expect(currencyOf(["pkg:npm/a"], "5", null)).toEqual({ advisoryRevision: 5 });
    expect(currencyOf([], "5", "2027-01-01T00:00:00Z")).toEqual({ advisoryRevision: null, validUntil: "2027-01-01T00:00:00.000Z" });
  });
});
