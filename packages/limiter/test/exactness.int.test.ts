import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LimitDecision, type LimitWindow, RateLimiter } from "../src/index.js";
import { bucketTotal, connect, hour, minute, month, type WindowRef, monthCount, windowRef } from "./limiter-fixtures.js";

const prefix = `${uniqueId("rl")}:limiter`;
let redisA: Redis;
let redisB: Redis;
let limiters: RateLimiter[];

beforeAll(async () => {
  redisA = await connect(TEST_REDIS_URL);
  redisB = await connect(TEST_REDIS_URL);
  // Closed and generous: a slow answer on a loaded machine must show up as a failure, not as a fallback admission.
  limiters = [redisA, redisB].map((redis) => new RateLimiter({ redis, prefix, failMode: "closed", timeoutMs: 10_000 }));
});

afterAll(async () => {
  await deleteKeysByPrefix(redisA, prefix);
  redisA.disconnect();
  redisB.disconnect();
});

async function hammer(subject: string, windows: LimitWindow[], count: number, cost?: number): Promise<LimitDecision[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => limiters[i % 2]?.check({ subject, windows, cost }) as Promise<LimitDecision>));
}

describe("exact under concurrency, across processes", () => {
  it("admits exactly 20 of 200 concurrent checks through two limiters on separate connections", async () => {
    const subject = `user:${uniqueId()}`;
    const windows = [minute(20)];
    const decisions = await hammer(subject, windows, 200);
    expect(decisions.filter((d) => d.outcome === "unavailable")).toEqual([]);
    expect(decisions.filter((d) => d.outcome === "allowed")).toHaveLength(20);
    expect(decisions.filter((d) => d.outcome === "denied")).toHaveLength(180);
    expect(await bucketTotal(redisA, windowRef(prefix, subject, windows[0] as LimitWindow, Date.now()))).toBe(20);
  });

  it("with cost 3 and three windows, admits floor(20 / 3) and charges every window for each", async () => {
    const subject = `user:${uniqueId()}`;
    const windows = [minute(50), hour(20), month(100)];
    const decisions = await hammer(subject, windows, 200, 3);
    expect(decisions.filter((d) => d.outcome === "allowed")).toHaveLength(6);
    expect(decisions.filter((d) => d.outcome === "denied").every((d) => d.outcome === "denied" && d.deniedBy === "scans-hour")).toBe(true);
    const now = Date.now();
    const [minuteRef, hourRef, monthRef] = windows.map((w) => windowRef(prefix, subject, w, now)) as [WindowRef, WindowRef, WindowRef];
    expect(await bucketTotal(redisA, minuteRef)).toBe(18);
    expect(await bucketTotal(redisA, hourRef)).toBe(18);
    expect(Number(await monthCount(redisA, monthRef))).toBe(18);
  });

  it("keeps subjects apart", async () => {
    const [a, b] = [`user:${uniqueId()}`, `user:${uniqueId()}`];
    const [forA, forB] = await Promise.all([hammer(a, [minute(5)], 40), hammer(b, [minute(7)], 40)]);
    expect(forA.filter((d) => d.outcome === "allowed")).toHaveLength(5);
    expect(forB.filter((d) => d.outcome === "allowed")).toHaveLength(7);
  });
});
