import { describe, expect, it } from "vitest";
import { InvalidLimitCheckError } from "./errors/invalid-limit-check-error.js";
import type { LimitWindow } from "./limit-window.js";
import { subjectKey, windowField } from "./window-key.js";
import { assertValidCheck, planWindows } from "./window-plan.js";

const minute: LimitWindow = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 20 };
const month: LimitWindow = { name: "scans-month", kind: "calendar-month", limit: 100 };
const nowMs = Date.UTC(2031, 11, 31, 23, 0, 0);

describe("key layout", () => {
  it("puts every window of a subject in one key whose only hash tag is the subject", () => {
    const plans = planWindows("secapi:rl", "ip:2001:db8::/64", [minute, month], nowMs);
    expect(plans.map((p) => p.key)).toEqual(["secapi:rl:{ip:2001:db8::/64}", "secapi:rl:{ip:2001:db8::/64}"]);
    expect(plans.map((p) => p.field)).toEqual(["minute:60s", "scans-month:2031-12"]);
    expect(subjectKey("secapi:rl", "ip:2001:db8::/64").match(/\{[^}]*\}/g)).toEqual(["{ip:2001:db8::/64}"]);
    expect(windowField(month, Date.UTC(2032, 0, 1))).toBe("scans-month:2032-01");
  });

  it("plans sliding windows with their bucket width and months with their bounds", () => {
    const [sliding, calendar] = planWindows("p", "s", [{ ...minute, windowSeconds: 3600 }, month], nowMs);
    expect(sliding).toMatchObject({ kind: "sliding", windowMs: 3_600_000, bucketMs: 60_000 });
    expect(calendar).toMatchObject({ kind: "calendar-month", month: { label: "2031-12", endMs: Date.UTC(2032, 0, 1) } });
  });
});

describe("assertValidCheck", () => {
  it.each([
    ["a subject with braces", "user:{1}", [minute], 1],
    ["an empty subject", "", [minute], 1],
    ["no window", "user:1", [], 1],
    ["a fractional cost", "user:1", [minute], 1.5],
    ["a name outside [a-z0-9-]", "user:1", [{ ...minute, name: "Minute" }], 1],
    ["a repeated name", "user:1", [minute, minute], 1],
    ["a negative limit", "user:1", [{ ...minute, limit: -1 }], 1],
    ["a sliding window without length", "user:1", [{ name: "m", kind: "sliding", limit: 1 }], 1],
  ] as const)("rejects %s", (_, subject, windows, cost) => {
    expect(() => assertValidCheck(subject, [...windows] as LimitWindow[], cost)).toThrow(InvalidLimitCheckError);
  });

  it("accepts the tier windows", () => {
    expect(() => assertValidCheck("user:1", [minute, { ...minute, name: "scans-hour", windowSeconds: 3600 }, month], 3)).not.toThrow();
  });

  it("validates a list that can still change on every check", () => {
    const windows: LimitWindow[] = [{ ...minute }];
    assertValidCheck("user:1", windows, 1);
    (windows[0] as { limit: number }).limit = -1;
    expect(() => assertValidCheck("user:1", windows, 1)).toThrow(InvalidLimitCheckError);
    windows.push({ ...month }, { ...month });
    expect(() => assertValidCheck("user:1", Object.freeze([...windows.slice(1)]), 1)).toThrow(InvalidLimitCheckError);
  });

  it("still checks the subject and cost of a frozen list it has validated before", () => {
    const windows = Object.freeze([Object.freeze({ ...minute }), Object.freeze({ ...month })]);
    assertValidCheck("user:1", windows, 1);
    expect(() => assertValidCheck("user:{1}", windows, 1)).toThrow(InvalidLimitCheckError);
    expect(() => assertValidCheck("user:1", windows, 0.5)).toThrow(InvalidLimitCheckError);
    expect(() => assertValidCheck("user:2", windows, 2)).not.toThrow();
  });
});
