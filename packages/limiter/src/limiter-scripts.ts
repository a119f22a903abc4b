import { readFileSync } from "node:fs";
import type { Cluster, Redis } from "ioredis";
import { MONTH_COUNTER_GRACE_MS } from "./calendar-month.js";
import type { UsageDelta } from "./usage-delta.js";
import type { WindowEvaluation } from "./window-evaluation.js";
import type { WindowPlan } from "./window-plan.js";

const CHECK_LUA = readFileSync(new URL("./lua/check.lua", import.meta.url), "utf8");
const ADJUST_LUA = readFileSync(new URL("./lua/adjust.lua", import.meta.url), "utf8");

type Arg = string | number | Buffer;

/** Window kinds as check.lua reads them. */
const SLIDING = 1;
const CALENDAR_MONTH = 2;

/** The limiter's Lua scripts bound to one client; ioredis sends EVALSHA and falls back to EVAL on NOSCRIPT. */
export interface LimiterScripts {
  check(keys: string[], args: Arg[]): Promise<number[]>;
  adjust(keys: string[], args: Arg[]): Promise<number>;
}

interface LimiterCommands {
  secapiLimiterCheck(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<number[]>;
  secapiLimiterAdjust(numberOfKeys: number, ...keysAndArgs: Arg[]): Promise<number>;
}

/** Defines the scripts as commands on the caller's client (idempotent: redefining replaces them). */
export function limiterScripts(redis: Redis | Cluster): LimiterScripts {
  redis.defineCommand("secapiLimiterCheck", { lua: CHECK_LUA });
  redis.defineCommand("secapiLimiterAdjust", { lua: ADJUST_LUA });
  const commands = redis as unknown as LimiterCommands;
  return {
    check: (keys, args) => commands.secapiLimiterCheck(keys.length, ...keys, ...args),
    adjust: (keys, args) => commands.secapiLimiterAdjust(keys.length, ...keys, ...args),
  };
}

/** ARGV of check.lua: its numbers packed as float64s. `seeds[i]` is the durable usage of month window i when its counter was found missing. */
export function checkScriptArgs(
  plans: WindowPlan[],
  nowMs: number,
  cost: number,
  peek: boolean,
  seedRequired: boolean,
  seeds: ReadonlyArray<number | undefined>,
): Arg[] {
  const numbers = Buffer.allocUnsafe(8 * (4 + 5 * plans.length));
  let offset = numbers.writeDoubleLE(nowMs, 0);
  offset = numbers.writeDoubleLE(cost, offset);
  offset = numbers.writeDoubleLE(peek ? 1 : 0, offset);
  offset = numbers.writeDoubleLE(seedRequired ? 1 : 0, offset);
  plans.forEach((plan, i) => {
    const window =
      plan.kind === "sliding"
        ? [SLIDING, plan.limit, plan.windowMs, plan.bucketMs, 0]
        : [CALENDAR_MONTH, plan.limit, plan.month.endMs - nowMs, plan.month.endMs + MONTH_COUNTER_GRACE_MS - nowMs, seeds[i] ?? -1];
    for (const value of window) offset = numbers.writeDoubleLE(value, offset);
  });
  return [numbers];
}

/** check.lua's reply: an evaluation, or the indices of month counters to seed before asking again. */
export type CheckReply = { evaluation: WindowEvaluation; missing?: undefined } | { evaluation?: undefined; missing: number[] };

/** Reads check.lua's flat reply `{status, used_1, resetMs_1, ...}`. */
export function parseCheckReply(reply: number[], windowCount: number): CheckReply {
  const used: number[] = [];
  const resetMs: number[] = [];
  for (let i = 0; i < windowCount; i++) {
    used.push(Number(reply[1 + 2 * i]));
    resetMs.push(Number(reply[2 + 2 * i]));
  }
  if (reply[0] === 2) return { missing: used.flatMap((u, i) => (u === -1 ? [i] : [])) };
  return { evaluation: { allowed: reply[0] === 1, used, resetMs } };
}

/** KEYS and ARGV of adjust.lua for one subject's deltas; windows with nothing to apply are left out. */
export function adjustScriptArgs(
  deltas: ReadonlyMap<string, UsageDelta>,
  nowMs: number,
  createMissingMonth: boolean,
): { keys: string[]; args: Arg[] } {
  const keys: string[] = [];
  const args: Arg[] = [nowMs, createMissingMonth ? 1 : 0];
  for (const [key, delta] of deltas) {
    if (delta.kind === "sliding") {
      const buckets = [...delta.buckets].filter(([, units]) => units !== 0);
      if (buckets.length === 0) continue;
      keys.push(key);
      args.push("s", delta.windowMs, delta.bucketMs, buckets.length, ...buckets.flat());
    } else {
      const expireMs = delta.month.endMs + MONTH_COUNTER_GRACE_MS - nowMs;
      if (delta.units === 0 || expireMs <= 0) continue;
      keys.push(key);
      args.push("m", expireMs, delta.units);
    }
  }
  return { keys, args };
}
