import type { ScanViewEntry } from "@secapi/core";
import { describe, expect, it } from "vitest";
import { REVALIDATE, scanViewCaching } from "./cache-control.js";

const NOW = Date.parse("2030-01-01T00:00:00.000Z");
const HOUR = 3600;
const WEEK = 7 * 24 * HOUR;

function view(overrides: Partial<ScanViewEntry> = {}, body: Partial<ScanViewEntry["body"]> = {}): ScanViewEntry {
  return {
    userId: "u1",
    status: "completed",
    jobId: "j1",
    etag: '"x"',
    renderedAt: new Date(NOW).toISOString(),
    advisoryRevision: 1,
    body: {
      id: "s1",
      type: "dependencies",
      status: "completed",
      cached: false,
      labels: {},
      created_at: "",
      started_at: null,
      completed_at: null,
      findings_changed_at: null,
      ...body,
    },
    ...overrides,
  };
}

const renderedAgo = (seconds: number) => new Date(NOW - seconds * 1000).toISOString();
const business = { finishedTtlSeconds: WEEK, tierTtlSeconds: WEEK, now: NOW };
const free = { finishedTtlSeconds: WEEK, tierTtlSeconds: HOUR, now: NOW };

/** What a client's cache (RFC 9111) computes: seconds it may still use the response without asking. */
function remaining(headers: Record<string, string>): number {
  const maxAge = Number(/max-age=(\d+)/.exec(headers["Cache-Control"] ?? "")?.[1]);
  return maxAge - Number(headers.Age ?? 0);
}

describe("scanViewCaching", () => {
  it("a view just rendered (MISS): max-age is the whole freshness, no Age", () => {
    expect(scanViewCaching(view(), { ...business, cacheStatus: "MISS" })).toEqual({ "Cache-Control": `private, max-age=${WEEK}` });
    expect(scanViewCaching(view(), { ...free, cacheStatus: "BYPASS" })).toEqual({ "Cache-Control": `private, max-age=${HOUR}` });
  });

  it("a cached view (HIT) carries Age, and what a client may keep shrinks as the entry ages", () => {
    const young = scanViewCaching(view({ renderedAt: renderedAgo(10) }), { ...business, cacheStatus: "HIT" });
    expect(young).toEqual({ "Cache-Control": `private, max-age=${WEEK}`, Age: "10" });
    const old = scanViewCaching(view({ renderedAt: renderedAgo(5000) }), { ...business, cacheStatus: "HIT" });
    expect(old.Age).toBe("5000");
    expect(remaining(old)).toBe(WEEK - 5000);
    expect(remaining(old)).toBeLessThan(remaining(young));
    expect(scanViewCaching(view({ renderedAt: renderedAgo(3) }), { ...business, cacheStatus: "STALE" }).Age).toBe("3");
  });

  it("never beyond the caller's tier TTL, counted from now", () => {
    const headers = scanViewCaching(view({ renderedAt: renderedAgo(2 * HOUR) }), { ...free, cacheStatus: "HIT" });
    expect(headers).toEqual({ "Cache-Control": `private, max-age=${2 * HOUR + HOUR}`, Age: String(2 * HOUR) });
    expect(remaining(headers)).toBe(HOUR);
  });

  it("never beyond the result's valid_until", () => {
    const validUntil = new Date(NOW + 90_500).toISOString();
    expect(remaining(scanViewCaching(view({ validUntil }), { ...business, cacheStatus: "MISS" }))).toBe(90);
    expect(remaining(scanViewCaching(view({ validUntil, renderedAt: renderedAgo(20) }), { ...business, cacheStatus: "HIT" }))).toBe(90);
  });

  it("a failed scan is finished too", () => {
    expect(
      scanViewCaching(view({ status: "failed", advisoryRevision: null }, { status: "failed" }), { ...free, cacheStatus: "MISS" }),
    ).toEqual({
      "Cache-Control": `private, max-age=${HOUR}`,
    });
  });

  it("in flight, outdated, past its freshness or of unknown age: revalidated on every use", () => {
    const revalidate = { "Cache-Control": REVALIDATE };
    for (const status of ["queued", "running"] as const)
      expect(scanViewCaching(view({ status }, { status }), { ...business, cacheStatus: "HIT" })).toEqual(revalidate);
    expect(scanViewCaching(view({}, { outdated: true }), { ...business, cacheStatus: "MISS" })).toEqual(revalidate);
    expect(scanViewCaching(view({ validUntil: new Date(NOW - 1).toISOString() }), { ...business, cacheStatus: "HIT" })).toEqual(revalidate);
    expect(scanViewCaching(view({ renderedAt: renderedAgo(WEEK + 1) }), { ...business, cacheStatus: "HIT" })).toEqual(revalidate);
    expect(scanViewCaching(view({ renderedAt: undefined as unknown as string }), { ...business, cacheStatus: "HIT" })).toEqual(revalidate);
  });
});
