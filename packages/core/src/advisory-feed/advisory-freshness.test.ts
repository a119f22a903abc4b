import { describe, expect, it } from "vitest";
import { advisoryFreshness } from "./advisory-feed-status.js";

const settings = { sources: ["npm", "PyPI"], url: "http://feed", intervalSeconds: 3600 };
const now = Date.parse("2026-01-01T12:00:00Z");

describe("advisoryFreshness", () => {
  it("is fresh while every ecosystem synced within two intervals", () => {
    const at = new Map([
      ["npm", "2026-01-01T10:00:00Z"],
      ["PyPI", "2026-01-01T11:59:00Z"],
    ]);
    expect(advisoryFreshness(settings, at, now)).toBe("fresh");
  });

  it("is stale once one is older than two intervals, or never synced", () => {
    expect(
      advisoryFreshness(
        settings,
        new Map([
          ["npm", "2026-01-01T09:59:59Z"],
          ["PyPI", "2026-01-01T11:00:00Z"],
        ]),
        now,
      ),
    ).toBe("stale");
    expect(
      advisoryFreshness(
        settings,
        new Map([
          ["npm", "2026-01-01T11:00:00Z"],
          ["PyPI", null],
        ]),
        now,
      ),
    ).toBe("stale");
  });

  it("is fresh when the schedule is off: the advisories are managed by hand", () => {
    expect(advisoryFreshness({ ...settings, intervalSeconds: 0 }, new Map(), now)).toBe("fresh");
  });
});
