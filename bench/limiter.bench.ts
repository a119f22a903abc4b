import { RateLimiter } from "@secapi/limiter";
import { deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import { Redis } from "ioredis";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { RateLimiterRedis, RateLimiterUnion } from "rate-limiter-flexible";
import { RedisStore } from "rate-limit-redis";
import { type Measurement, measure, report } from "./harness.js";
import { BASELINE_POINTS, submissionWindows as windows } from "./limiter-windows.js";

/**
 * Rate limiting: `RateLimiter.check` with the three windows of a scan submission (minute and hour sliding,
 * calendar month) in one script, against rate-limiter-flexible's `RateLimiterRedis.consume` on one fixed
 * window, on the same Redis, at the same concurrency, in the same run; also against rate-limiter-flexible's
 * `RateLimiterUnion` of the same three limits (three fixed windows, three round trips, not atomic) and
 * express-rate-limit's Redis store (`rate-limit-redis`: the `increment` its middleware awaits per request,
 * one fixed window). Limits are high enough that nothing is denied, so all do their full write path.
 * Targets: the three-window check at ≥ 1.0× the baseline's throughput at concurrency 50 and 16, and ≥ 2.5×
 * the union's. Every contender has a Redis connection of its own, configured alike. The limiter batches the
 * checks issued together into one call (its default); a row with `batchSize: 1` shows it without.
 *
 * The contenders run in short interleaved rounds (the order alternating), so that load from elsewhere on
 * the machine falls on both alike; a round's numbers are merged: ops/s over the total time, percentiles
 * as the median of the rounds'.
 */

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
const SUBJECTS = 1000;
/** The API's own concurrency on one process under load, and the lighter one measured first. */
const CONCURRENCIES = (process.env.BENCH_LIMITER_CONCURRENCY ?? "50,16").split(",").map(Number);
const ROUNDS = 6;
/**
 * Another build of the limiter (the path of its `dist/index.js`, e.g. main's checkout), run as one more row with
 * the same windows: a change measured before and after in the same run.
 */
const COMPARE = process.env.BENCH_LIMITER_COMPARE;
const ROUND_MS = 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function merge(rounds: Measurement[]): Measurement {
  const ops = rounds.reduce((sum, m) => sum + m.ops, 0);
  const seconds = rounds.reduce((sum, m) => sum + m.ops / m.opsPerSecond, 0);
  return {
    name: rounds[0]?.name ?? "",
    ops,
    opsPerSecond: ops / seconds,
    p50Ms: median(rounds.map((m) => m.p50Ms)),
    p95Ms: median(rounds.map((m) => m.p95Ms)),
    p99Ms: median(rounds.map((m) => m.p99Ms)),
  };
}

const MONTH_SECONDS = 31 * 24 * 3600;

export default async function limiterBench(): Promise<void> {
  const prefix = uniqueId("bench-rl");
  const clients: Redis[] = [];
  const client = async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true });
    clients.push(redis);
    await redis.connect();
    return redis;
  };
  let n = 0;
  const subject = () => `user:${n++ % SUBJECTS}`;

  const notAllowed: string[] = [];
  const limiter = new RateLimiter({
    redis: await client(),
    prefix: `${prefix}:ours`,
    // The default 50 ms would let a stall of this busy machine become fallback decisions, which cost no round trip.
    timeoutMs: 5000,
    failMode: "closed",
    hooks: { onDecision: (_, decision) => decision.outcome !== "allowed" && notAllowed.push(decision.outcome) },
  });
  const minuteOnly = new RateLimiter({ redis: await client(), prefix: `${prefix}:ours1`, timeoutMs: 5000, failMode: "closed" });
  const unbatched = new RateLimiter({
    redis: await client(),
    prefix: `${prefix}:ours0`,
    timeoutMs: 5000,
    failMode: "closed",
    batchSize: 1,
  });
  const flexible = new RateLimiterRedis({
    storeClient: await client(),
    useRedisPackage: false,
    keyPrefix: `${prefix}:rlflx`,
    points: BASELINE_POINTS,
    duration: 60,
  });
  const unionClient = await client();
  const union = new RateLimiterUnion(
    ...[
      ["m", 60],
      ["h", 3600],
      ["mo", MONTH_SECONDS],
    ].map(
      ([name, duration]) =>
        new RateLimiterRedis({
          storeClient: unionClient,
          useRedisPackage: false,
          keyPrefix: `${prefix}:rlfu${name as string}`,
          points: BASELINE_POINTS,
          duration: duration as number,
        }),
    ),
  );
  const ercClient = await client();
  const express = new RedisStore({
    prefix: `${prefix}:erl:`,
    sendCommand: (command: string, ...args: string[]) => ercClient.call(command, ...args) as Promise<number>,
  });
  express.init({ windowMs: 60_000 } as Parameters<RedisStore["init"]>[0]);

  const contenders: Array<[string, () => Promise<unknown>]> = [
    ["rate-limiter-flexible RateLimiterRedis.consume (1 fixed window)", () => flexible.consume(subject())],
    ["rate-limiter-flexible RateLimiterUnion (minute, hour, month fixed; 3 round trips)", () => union.consume(subject())],
    ["express-rate-limit + rate-limit-redis store.increment (1 fixed window)", () => express.increment(subject())],
    ["RateLimiter.check (minute + hour sliding, month)", () => limiter.check({ subject: subject(), windows })],
    ["RateLimiter.check (minute sliding only)", () => minuteOnly.check({ subject: subject(), windows: windows.slice(0, 1) })],
    [
      "RateLimiter.check (minute + hour sliding, month), batchSize 1: one call per check",
      () => unbatched.check({ subject: subject(), windows }),
    ],
  ];
  if (COMPARE) {
    const other = (await import(pathToFileURL(resolve(COMPARE)).href)) as { RateLimiter: typeof RateLimiter };
    const before = new other.RateLimiter({ redis: await client(), prefix: `${prefix}:cmp`, timeoutMs: 5000, failMode: "closed" });
    contenders.push([
      `RateLimiter.check (minute + hour sliding, month), build at ${COMPARE}`,
      () => before.check({ subject: subject(), windows }),
    ]);
  }
  for (const concurrency of CONCURRENCIES) {
    const rounds = contenders.map((): Measurement[] => []);
    for (let round = 0; round < ROUNDS; round++) {
      const order = contenders.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) {
        const [name, operation] = contenders[i] as [string, () => Promise<unknown>];
        rounds[i]?.push(await measure(name, operation, { durationMs: ROUND_MS, warmupMs: round === 0 ? 500 : 100, concurrency }));
      }
    }
    const [baseline, ...others] = rounds.map(merge) as [Measurement, ...Measurement[]];
    const union = others[0] as Measurement;
    const ours = others[2] as Measurement;
    const oursAlone = others[4] as Measurement;
    report(`Rate limiting: one Redis round trip per check, concurrency ${concurrency}`, baseline, others, [
      `Redis ${REDIS_URL}; ${SUBJECTS} subjects round-robin; concurrency ${concurrency}; ${ROUNDS} interleaved rounds of ${ROUND_MS} ms each. ` +
        "Target: the three-window check at ≥ 1.0× the baseline's throughput and ≥ 2.5× the union's.",
      `Three-window check vs RateLimiterUnion of the same limits: ${(ours.opsPerSecond / union.opsPerSecond).toFixed(2)}×.`,
      `Three-window check, batched vs batchSize 1: ${(ours.opsPerSecond / oursAlone.opsPerSecond).toFixed(2)}×.`,
      ...(COMPARE
        ? [
            `Three-window check, this build vs the one at ${COMPARE}: ${(ours.opsPerSecond / (others[5] as Measurement).opsPerSecond).toFixed(2)}×.`,
          ]
        : []),
      `RateLimiter decisions other than "allowed": ${notAllowed.length} (0 means every check took the Redis write path).`,
    ]);
  }

  await deleteKeysByPrefix(clients[0] as Redis, prefix);
  for (const redis of clients) redis.disconnect();
}
