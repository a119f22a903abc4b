import { type LuaArg, LuaScript } from "@secapi/toolkit";
import clusterKeySlot from "cluster-key-slot";
import type { Cluster, Redis } from "ioredis";
import { MONTH_COUNTER_GRACE_MS } from "./calendar-month.js";
import { CheckBatcher } from "./check-batcher.js";
import { RedisFunction, RedisFunctionCaller } from "./redis-function.js";
import type { UsageDelta } from "./usage-delta.js";
import type { WindowEvaluation } from "./window-evaluation.js";
import type { WindowPlan } from "./window-plan.js";

/** `src/lua/<name>.lua` (copied to `dist/lua` by the build). */
const script = (name: string) => new LuaScript(new URL(`./lua/${name}.lua`, import.meta.url));

/** check.lua, a Redis Function where the server has them: its helpers are defined once, not on every call. */
const CHECK = new RedisFunction(script("check"));
const ADJUST = script("adjust");
const HEARTBEAT = script("heartbeat");

type Arg = LuaArg;

/** Window kinds as check.lua reads them; a report-only window adds REPORT_ONLY. */
const SLIDING = 1;
const CALENDAR_MONTH = 2;
const REPORT_ONLY = 2;

/**
 * The limiter's Lua scripts bound to one client: check by FCALL (see RedisFunctionCaller), the checks of one
 * event-loop turn batched into one call (see CheckBatcher); the others by EVALSHA (EVAL when the server does not
 * have them).
 */
export interface LimiterScripts {
  /** check.lua's packed reply to this one check (see parseCheckReply), sent with the other checks of the turn. */
  check(key: string, args: Arg[]): Promise<Buffer>;
  adjust(key: string, args: Arg[]): Promise<number>;
  /** Announces process `id` (alive for `ttlMs` more) and resolves to the number of live processes. */
  heartbeat(key: string, id: string, ttlMs: number): Promise<number>;
}

/** The scripts bound to the caller's client; at most `maxBatch` checks share a call (1: each goes alone). */
export function limiterScripts(redis: Redis | Cluster, maxBatch = 1): LimiterScripts {
  const caller = new RedisFunctionCaller(redis, CHECK);
  const batcher = new CheckBatcher((keys, args) => caller.call(keys, args), {
    maxBatch,
    slotOf: redis.isCluster ? clusterKeySlot : undefined,
  });
  return {
    check: (key, args) => batcher.submit(key, args),
    adjust: (key, args) => ADJUST.run(redis, [key], args) as Promise<number>,
    heartbeat: (key, id, ttlMs) => HEARTBEAT.run(redis, [key], [id, ttlMs]) as Promise<number>,
  };
}

/**
 * ARGV of check.lua: its numbers packed as float64s, then the windows' fields. `seeds[i]` is the durable usage
 * of month window i when its counter was found missing.
 */
export function checkScriptArgs(
  plans: WindowPlan[],
  nowMs: number,
  cost: number,
  peek: boolean,
  seedRequired: boolean,
  seeds: ReadonlyArray<number | undefined>,
): Arg[] {
  const numbers = Buffer.allocUnsafe(8 * (4 + 5 * plans.length));
  numbers.writeDoubleLE(nowMs, 0);
  numbers.writeDoubleLE(cost, 8);
  numbers.writeDoubleLE(peek ? 1 : 0, 16);
  numbers.writeDoubleLE(seedRequired ? 1 : 0, 24);
  const args: Arg[] = [numbers];
  // Written in place, one window after another: no array per window on a path taken by every request.
  for (let i = 0, offset = 32; i < plans.length; i++, offset += 40) {
    const plan = plans[i] as WindowPlan;
    const reportOnly = plan.window.reportOnly === true ? REPORT_ONLY : 0;
    if (plan.kind === "sliding") {
      numbers.writeDoubleLE(SLIDING + reportOnly, offset);
      numbers.writeDoubleLE(plan.windowMs, offset + 16);
      numbers.writeDoubleLE(plan.bucketMs, offset + 24);
      numbers.writeDoubleLE(0, offset + 32);
    } else {
      numbers.writeDoubleLE(CALENDAR_MONTH + reportOnly, offset);
      numbers.writeDoubleLE(plan.month.endMs, offset + 16);
      numbers.writeDoubleLE(plan.month.endMs + MONTH_COUNTER_GRACE_MS, offset + 24);
      numbers.writeDoubleLE(seeds[i] ?? -1, offset + 32);
    }
    numbers.writeDoubleLE(plan.limit, offset + 8);
    args.push(plan.field);
  }
  return args;
}

/** check.lua's reply: an evaluation, or the indices of month counters to seed before asking again. */
export type CheckReply = { evaluation: WindowEvaluation; missing?: undefined } | { evaluation?: undefined; missing: number[] };

/**
 * Reads check.lua's reply: float64s `status, used_1, resetMs_1, ...`. resetMs is truncated to whole ms, as
 * Redis did when the script returned integers.
 */
export function parseCheckReply(reply: Buffer, windowCount: number): CheckReply {
  if (reply.length !== 8 * (1 + 2 * windowCount)) throw new Error(`check.lua replied ${reply.length} bytes for ${windowCount} windows`);
  const used = new Array<number>(windowCount);
  const resetMs = new Array<number>(windowCount);
  for (let i = 0; i < windowCount; i++) {
    used[i] = reply.readDoubleLE(8 + 16 * i);
    resetMs[i] = Math.trunc(reply.readDoubleLE(16 + 16 * i));
  }
  const status = reply.readDoubleLE(0);
  if (status === 2) return { missing: used.flatMap((u, i) => (u === -1 ? [i] : [])) };
  return { evaluation: { allowed: status === 1, used, resetMs } };
}

/** ARGV of adjust.lua for one subject's deltas (by window field); undefined when nothing is left to apply. */
export function adjustScriptArgs(deltas: ReadonlyMap<string, UsageDelta>, nowMs: number, createMissingMonth: boolean): Arg[] | undefined {
  const args: Arg[] = [nowMs, createMissingMonth ? 1 : 0];
  for (const [field, delta] of deltas) {
    if (delta.kind === "sliding") {
      const buckets = [...delta.buckets].filter(([, units]) => units !== 0);
      if (buckets.length === 0) continue;
      args.push("s", field, delta.windowMs, delta.bucketMs, buckets.length, ...buckets.flat());
    } else {
      const expiresAtMs = delta.month.endMs + MONTH_COUNTER_GRACE_MS;
      if (delta.units === 0 || expiresAtMs <= nowMs) continue;
      args.push("m", field, expiresAtMs, delta.units);
    }
  }
  return args.length > 2 ? args : undefined;
}
