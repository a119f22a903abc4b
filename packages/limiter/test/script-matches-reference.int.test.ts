import { TEST_REDIS_URL, deleteKeysByPrefix, seededRandom, uniqueId } from "@secapi/testing";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FallbackLimiter } from "../src/fallback-limiter.js";
import type { LimitWindow } from "../src/index.js";
import { adjustScriptArgs, checkScriptArgs, limiterScripts, parseCheckReply } from "../src/limiter-scripts.js";
import { deltaAt } from "../src/usage-delta.js";
import { subjectKey } from "../src/window-key.js";
import { planWindows } from "../src/window-plan.js";
import { bucketTotal, connect, hour, minute, month, type WindowRef } from "./limiter-fixtures.js";

/**
 * check.lua and adjust.lua against the TypeScript reference of the same rules (the fallback limiter, built
 * on sliding-window.ts): one seeded random sequence of checks, peeks, costs, refunds, small, large and backward clock
 * steps and month rollovers, compared to the millisecond, with the script's bookkeeping verified as it goes.
 */
const prefix = `${uniqueId("rl")}:limiter`;
let redis: Redis;

beforeAll(async () => {
  redis = await connect(TEST_REDIS_URL);
});

afterAll(async () => {
  await deleteKeysByPrefix(redis, prefix);
  redis.disconnect();
});

/** The invariants check.lua relies on: the summary agrees with the record; buckets are ascending, non-empty. */
async function assertBookkeeping(ref: WindowRef): Promise<void> {
  await bucketTotal(redis, ref);
}

describe("check.lua and adjust.lua match the TypeScript reference", () => {
  it.each([1, 2, 3, 4, 5, 6])("over a random sequence (seed %i)", async (seed) => {
    const random = seededRandom(seed);
    const int = (max: number) => Math.floor(random() * max);
    const scripts = limiterScripts(redis);
    const reference = new FallbackLimiter(10);
    const subject = `user:${uniqueId()}`;
    const all: LimitWindow[] = [minute(7), hour(20), month(30), { name: "ten", kind: "sliding", windowSeconds: 10, limit: 4 }];
    let nowMs = Date.UTC(2031, 0, 31, 23, 20, 0) + int(1000);

    let latestMs = nowMs;
    for (let step = 0; step < 600; step++) {
      const roll = random();
      // Mostly forward; sometimes a little back, as a check from a host whose clock lags another's.
      nowMs += roll < 0.06 ? -int(3000) : roll < 0.6 ? int(2000) : roll < 0.9 ? int(20_000) : roll < 0.98 ? int(400_000) : int(7_200_000);
      const windows = all.filter(() => random() < 0.7);
      if (windows.length === 0) continue;
      const plans = planWindows(prefix, subject, windows, nowMs);

      latestMs = Math.max(latestMs, nowMs);
      if (random() < 0.1 && nowMs === latestMs) {
        // A refund no larger than any window's usage (beyond that the two differ on purpose: Redis clamps
        // at once, the fallback remembers what Redis owes). Not from a lagging clock: units in buckets newer
        // than its own count as usage, but a refund takes only from its bucket and older ones.
        const usage = reference.check(subject, plans, 0, true, nowMs, 1).used;
        const units = Math.min(...usage, 1 + int(3));
        if (units <= 0) continue;
        const args = adjustScriptArgs(new Map(plans.map((p) => [p.field, deltaAt(p, -units, nowMs)])), nowMs, true);
        if (args) await scripts.adjust(subjectKey(prefix, subject), args);
        reference.adjust(subject, plans, -units, nowMs);
      } else {
        const cost = int(4);
        const peek = random() < 0.2;
        const expected = reference.check(subject, plans, cost, peek, nowMs, 1);
        const reply = parseCheckReply(
          await scripts.check(subjectKey(prefix, subject), checkScriptArgs(plans, nowMs, cost, peek, false, [])),
          plans.length,
        );
        expect({ step, ...reply.evaluation }).toEqual({ step, ...expected });
      }
      for (const plan of plans) if (plan.kind === "sliding") await assertBookkeeping(plan);
    }
  });

  it.each([7, 8, 9])("over a random sequence sent in batches, each check evaluated in order (seed %i)", async (seed) => {
    const random = seededRandom(seed);
    const int = (max: number) => Math.floor(random() * max);
    const scripts = limiterScripts(redis, 16);
    const reference = new FallbackLimiter(10);
    const subject = `user:${uniqueId()}`;
    const all: LimitWindow[] = [minute(7), hour(20), month(30), { name: "ten", kind: "sliding", windowSeconds: 10, limit: 4 }];
    let nowMs = Date.UTC(2031, 0, 31, 23, 58, 0) + int(1000);

    for (let round = 0; round < 60; round++) {
      // Up to 40 checks issued together (so up to three calls), their clocks moving on (and sometimes back)
      // within the batch: bucket, window and month boundaries fall inside batches.
      const batch = Array.from({ length: 1 + int(40) }, () => {
        const roll = random();
        nowMs += roll < 0.05 ? -int(2000) : roll < 0.7 ? int(700) : roll < 0.95 ? int(9000) : int(400_000);
        const windows = all.filter(() => random() < 0.7);
        const plans = planWindows(prefix, subject, windows.length > 0 ? windows : all, nowMs);
        return { plans, nowMs, cost: int(4), peek: random() < 0.2 };
      });
      const replies = await Promise.all(
        batch.map(({ plans, nowMs: at, cost, peek }) =>
          scripts.check(subjectKey(prefix, subject), checkScriptArgs(plans, at, cost, peek, false, [])),
        ),
      );
      batch.forEach(({ plans, nowMs: at, cost, peek }, i) => {
        const expected = reference.check(subject, plans, cost, peek, at, 1);
        expect({ round, i, ...parseCheckReply(replies[i] as Buffer, plans.length).evaluation }).toEqual({ round, i, ...expected });
      });
      for (const plan of batch.at(-1)?.plans ?? []) if (plan.kind === "sliding") await assertBookkeeping(plan);
    }
  });
});
