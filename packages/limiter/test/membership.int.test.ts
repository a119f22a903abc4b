import { TEST_REDIS_URL, deleteKeysByPrefix, uniqueId, waitFor } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RateLimiter, type RateLimiterOptions } from "../src/index.js";
import { connect, minute } from "./limiter-fixtures.js";

const prefix = `${uniqueId("rl")}:limiter`;
const membersKey = `${prefix}:processes`;
const clients: Redis[] = [];
// A second between beats: a loaded machine may delay a beat by a few hundred ms, which must not make a live
// process look gone.
const INTERVAL_MS = 1000;
let admin: Redis;

beforeAll(async () => {
  admin = await connect(TEST_REDIS_URL);
});

afterAll(async () => {
  for (const client of clients) client.disconnect();
  await deleteKeysByPrefix(admin, prefix);
  admin.disconnect();
});

/** A limiter on a connection of its own (as each API process has), recording the process counts it reads. */
async function processWith(options: Partial<RateLimiterOptions> = {}): Promise<{ limiter: RateLimiter; counts: number[] }> {
  const redis = await connect(TEST_REDIS_URL);
  clients.push(redis);
  const counts: number[] = [];
  const limiter = new RateLimiter({
    redis,
    prefix,
    membershipIntervalMs: INTERVAL_MS,
    hooks: { onProcessCount: (n) => counts.push(n) },
    ...options,
  });
  return { limiter, counts };
}

describe("processes count each other through Redis", () => {
  it("counts the processes that check limits (not one that only refunds, not a closed-mode one) and drops one that closed", async () => {
    const a = await processWith();
    const b = await processWith();
    const refunder = await processWith();
    const closedMode = await processWith({ failMode: "closed" });
    const subject = `user:${uniqueId()}`;
    await refunder.limiter.refund(subject, [minute(10)]);
    await closedMode.limiter.check({ subject, windows: [minute(10)] });
    expect(await admin.exists(membersKey)).toBe(0); // nobody has checked in open mode yet

    await a.limiter.check({ subject, windows: [minute(10)] });
    await b.limiter.check({ subject, windows: [minute(10)], peek: true });
    await waitFor(() => a.counts.at(-1) === 2 && b.counts.at(-1) === 2, { what: "both to count two processes" });
    expect(await admin.zcard(membersKey)).toBe(2);
    expect(refunder.counts).toEqual([]);
    expect(closedMode.counts).toEqual([]);

    // The set expires three intervals after the last beat, should every process die without leaving.
    const ttl = await admin.pttl(membersKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(3 * INTERVAL_MS);

    b.limiter.close();
    await waitFor(() => a.counts.at(-1) === 1, { what: "the closed process to leave" });
    a.limiter.close();
    await waitFor(async () => (await admin.exists(membersKey)) === 0, { what: "the last process to leave" });
  });
});
