import { RateLimiter } from "@secapi/limiter";
import { deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { type Measurement, measure, report } from "./harness.js";
import { BASELINE_POINTS, submissionWindows as windows } from "./limiter-windows.js";

/**
 * Rate limiting: `RateLimiter.check` with the three windows of a scan submission (minute and hour sliding,
 * calendar month) in one script, against rate-limiter-flexible's `RateLimiterRedis.consume` on one fixed
 * window, on the same Redis, at the same concurrency, in the same run. Limits are high enough that nothing
 * is denied, so both do their full write path. Target: ≥ 1.0× the baseline's throughput.
 *
 * The contenders run in short interleaved rounds (the order alternating), so that load from elsewhere on
 * the machine falls on both alike; a round's numbers are merged: ops/s over the total time, percentiles
 * as the median of the rounds'.
 */

const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/0";
const SUBJECTS = 1000;
const CONCURRENCY = 16;
const ROUNDS = 6;
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

export default async function limiterBench(): Promise<void> {
  const prefix = uniqueId("bench-rl");
  // One connection each, configured alike: neither shares a socket with the other.
  const ours = new Redis(REDIS_URL, { lazyConnect: true });
  const theirs = new Redis(REDIS_URL, { lazyConnect: true });
  await Promise.all([ours.connect(), theirs.connect()]);
  let n = 0;
  const subject = () => `user:${n++ % SUBJECTS}`;

  const notAllowed: string[] = [];
  const limiter = new RateLimiter({
    redis: ours,
    prefix: `${prefix}:ours`,
    // The default 50 ms would let a stall of this busy machine become fallback decisions, which cost no round trip.
    timeoutMs: 5000,
    failMode: "closed",
    hooks: { onDecision: (_, decision) => decision.outcome !== "allowed" && notAllowed.push(decision.outcome) },
  });
  const flexible = new RateLimiterRedis({
    storeClient: theirs,
    useRedisPackage: false,
    keyPrefix: `${prefix}:rlflx`,
    points: BASELINE_POINTS,
    duration: 60,
  });

  const contenders: Array<[string, () => Promise<unknown>]> = [
    ["rate-limiter-flexible RateLimiterRedis.consume (1 fixed window)", () => flexible.consume(subject())],
    ["RateLimiter.check (minute + hour sliding, month)", () => limiter.check({ subject: subject(), windows })],
    ["RateLimiter.check (minute sliding only)", () => limiter.check({ subject: subject(), windows: windows.slice(0, 1) })],
  ];
  const rounds = contenders.map((): Measurement[] => []);
  for (let round = 0; round < ROUNDS; round++) {
    const order = contenders.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const [name, operation] = contenders[i] as [string, () => Promise<unknown>];
      rounds[i]?.push(
        await measure(name, operation, { durationMs: ROUND_MS, warmupMs: round === 0 ? 500 : 100, concurrency: CONCURRENCY }),
      );
    }
  }
  const [baseline, ...others] = rounds.map(merge) as [Measurement, ...Measurement[]];

  report("Rate limiting: one Redis round trip per check", baseline, others, [
    `Redis ${REDIS_URL}; ${SUBJECTS} subjects round-robin; concurrency ${CONCURRENCY}; ${ROUNDS} interleaved rounds of ${ROUND_MS} ms each. ` +
      "Target: the three-window check at ≥ 1.0× the baseline's throughput.",
    `RateLimiter decisions other than "allowed": ${notAllowed.length} (0 means every check took the Redis write path).`,
  ]);

  await deleteKeysByPrefix(ours, prefix);
  ours.disconnect();
  theirs.disconnect();
}
