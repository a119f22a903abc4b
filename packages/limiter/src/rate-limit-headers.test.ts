import { type Item, parseItem, parseList } from "structured-headers";
import { describe, expect, it } from "vitest";
import type { LimitDecision } from "./limit-decision.js";
import type { WindowState } from "./limit-window.js";
import { nearestExhaustion, rateLimitHeaders } from "./rate-limit-headers.js";

const minute: WindowState = { name: "minute", kind: "sliding", windowSeconds: 60, limit: 20, used: 1, remaining: 19, resetSeconds: 42 };
const scansHour: WindowState = {
  name: "scans-hour",
  kind: "sliding",
  windowSeconds: 3600,
  limit: 10,
  used: 3,
  remaining: 7,
  resetSeconds: 1800,
};
const scansMonth: WindowState = {
  name: "scans-month",
  kind: "calendar-month",
  limit: 100,
  used: 3,
  remaining: 97,
  resetSeconds: 1_000_000,
};
const nowMs = 1_900_000_000_500;

function items(header: string | undefined): Item[] {
  expect(header).toBeDefined();
  const list = parseList(header ?? "");
  for (const member of list) expect(Array.isArray(member[0])).toBe(false); // no inner lists
  return list as Item[];
}

describe("RateLimit-Policy and RateLimit", () => {
  const headers = rateLimitHeaders({ outcome: "allowed", source: "redis", windows: [minute, scansHour, scansMonth] }, nowMs);

  it("lists every window as a structured-field string with integer q, and w only for sliding windows", () => {
    expect(headers["RateLimit-Policy"]).toBe('"minute";q=20;w=60, "scans-hour";q=10;w=3600, "scans-month";q=100');
    const policies = items(headers["RateLimit-Policy"]);
    expect(policies.map(([name]) => name)).toEqual(["minute", "scans-hour", "scans-month"]);
    for (const [name, params] of policies) {
      expect(typeof name).toBe("string"); // an sf-string, not a token
      expect(Number.isInteger(params.get("q"))).toBe(true);
    }
    expect(policies[0]?.[1].get("w")).toBe(60);
    expect(policies[1]?.[1].get("w")).toBe(3600);
    expect(policies[2]?.[1].has("w")).toBe(false);
  });

  it("gives r and t (integers ≥ 0) for every window", () => {
    expect(headers.RateLimit).toBe('"minute";r=19;t=42, "scans-hour";r=7;t=1800, "scans-month";r=97;t=1000000');
    for (const [, params] of items(headers.RateLimit)) {
      for (const key of ["r", "t"]) {
        const value = params.get(key);
        expect(Number.isInteger(value) && (value as number) >= 0).toBe(true);
      }
    }
  });

  it("keeps integers inside the structured-field range", () => {
    const huge: WindowState = { ...minute, limit: 1_000_000, remaining: 999_999, used: 1 };
    const [item] = items(rateLimitHeaders({ outcome: "allowed", source: "redis", windows: [huge] }, nowMs)["RateLimit-Policy"]);
    expect(item?.[1].get("q")).toBe(1_000_000);
  });
});

describe("X-RateLimit-* for the window nearest exhaustion", () => {
  it("reports the window with the fewest units remaining, Reset as Unix seconds", () => {
    const headers = rateLimitHeaders({ outcome: "allowed", source: "redis", windows: [minute, scansHour, scansMonth] }, nowMs);
    expect(headers["X-RateLimit-Limit"]).toBe("10");
    expect(headers["X-RateLimit-Remaining"]).toBe("7");
    expect(headers["X-RateLimit-Reset"]).toBe(String(Math.ceil(nowMs / 1000) + 1800));
    expect(parseItem(headers["X-RateLimit-Reset"] ?? "")[0]).toBeTypeOf("number");
    expect(headers["Retry-After"]).toBeUndefined();
  });

  it("breaks a tie on remaining by the window that resets last, then by order", () => {
    const tiedMinute = { ...minute, remaining: 7 };
    expect(nearestExhaustion({ outcome: "allowed", source: "redis", windows: [tiedMinute, scansHour] })?.name).toBe("scans-hour");
    expect(nearestExhaustion({ outcome: "allowed", source: "redis", windows: [scansHour, tiedMinute] })?.name).toBe("scans-hour");
    const twin = { ...scansHour, name: "twin" };
    expect(nearestExhaustion({ outcome: "allowed", source: "redis", windows: [scansHour, twin] })?.name).toBe("scans-hour");
  });

  it("on a denial reports the denying window and adds Retry-After, so both give the same time", () => {
    const exhaustedMinute = { ...minute, used: 20, remaining: 0, resetSeconds: 30 };
    const emptyHour = { ...scansHour, used: 10, remaining: 0, resetSeconds: 1200 };
    const decision: LimitDecision = {
      outcome: "denied",
      source: "redis",
      windows: [exhaustedMinute, emptyHour, scansMonth],
      deniedBy: "scans-hour",
      retryAfterSeconds: 1200,
    };
    const headers = rateLimitHeaders(decision, nowMs);
    expect(headers["Retry-After"]).toBe("1200");
    expect(headers["X-RateLimit-Limit"]).toBe("10");
    expect(headers["X-RateLimit-Remaining"]).toBe("0");
    expect(Number(headers["X-RateLimit-Reset"])).toBe(Math.ceil(nowMs / 1000) + 1200);
  });

  it("sets nothing when the state is unknown", () => {
    expect(rateLimitHeaders({ outcome: "unavailable", windows: [], error: new Error("down") }, nowMs)).toEqual({});
  });
});
