import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { Cache, type CacheSetOptions } from "@secapi/cache";
import { deleteKeysByPrefix } from "@secapi/testing";
import { createKeyv } from "@keyv/redis";
import { BentoCache, bentostore } from "bentocache";
import { redisDriver } from "bentocache/drivers/redis";
import { Cacheable } from "cacheable";
import { Redis } from "ioredis";
import { type Measurement, measure, report } from "./harness.js";

/** A scan result of about 2 KB, the size of a typical cached API body. */
function scanResult(n: number): { body: unknown; etag: string } {
  const findings = Array.from({ length: 8 }, (_, i) => ({
    id: `GHSA-${i}xxx-yyyy-${n}`,
    aliases: [`CVE-2024-${1000 + i}`],
    ecosystem: "npm",
    package: "lodash",
    version: "4.17.20",
    severity: "high",
    summary: "Prototype pollution in lodash when merging untrusted objects",
    fixed_in: "4.17.21",
  }));
  return { body: { summary: { critical: 0, high: 8, medium: 0, low: 0, unknown: 0, total: 8 }, findings }, etag: `W/"${n}"` };
}

/**
 * Another process that invalidates keys the readers do not read, through the built package, `perSecond`
 * times a second: every fence read in the measured process then has log entries to replay.
 */
function startChurn(url: string, prefix: string, perSecond: number): ChildProcess {
  const script = `
    import { Redis } from "ioredis";
    import { Cache } from "@secapi/cache";
    const redis = new Redis(${JSON.stringify(url)});
    const cache = new Cache({ redis, prefix: ${JSON.stringify(prefix)} });
    await cache.start();
    console.log("ready");
    let n = 0;
    setInterval(() => void cache.invalidateTags(["churn:" + (n++ % 50)]).then(() => cache.delete(${JSON.stringify(prefix)} + ":scan:churn-" + n)), ${Math.round(2000 / perSecond)});
  `;
  return spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
}

const KEYS = 256;
const ROUNDS = Number(process.env.BENCH_CACHE_ROUNDS ?? 8);
const ROUND_MS = 1000;
// The Redis timeout of the L2 rows (as in `pnpm bench http`): at load 30+ the default 50 ms turns hits into
// bypasses, which answer from the loader and measure an outage rather than a hit.
const L2_TIMEOUT_MS = Number(process.env.BENCH_CACHE_REDIS_TIMEOUT_MS ?? 250);
// BENCH_CACHE_COMPARE=<another build's packages/cache/dist/index.js>: its L2 hit as a row of the same rounds.
const COMPARE = process.env.BENCH_CACHE_COMPARE;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** One row's rounds as one measurement: ops/s over the total time, percentiles as the median of the rounds'. */
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
const fmt = (n: number, digits = 3) => n.toFixed(digits);

/**
 * The cache library against a bare Redis GET of the same ~2 KB values (256 keys round-robin, so that the
 * in-process coalescing of concurrent loads does not merge reads), and against GET + JSON.parse: an L1
 * hit (memory, plus one shared fence read per 50-100 ms), an L2 hit (GET + entry decode, L1 off), and L1
 * hits while another process invalidates other keys ~200 times a second.
 */
export default async function (): Promise<void> {
  const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/1";
  const prefix = `bench${randomBytes(4).toString("hex")}`;
  const redis = new Redis(url);
  const options: CacheSetOptions = { ttl: 300, tags: ["scan:bench", "user:bench"] };
  const keys = Array.from({ length: KEYS }, (_, i) => `${prefix}:result:${i}`);
  const rawKeys = Array.from({ length: KEYS }, (_, i) => `${prefix}:raw:${i}`);
  const values = keys.map((_, i) => scanResult(i));
  let turn = 0;
  const next = () => turn++ % KEYS;
  const caches: Cache[] = [];
  const start = async (cache: Cache) => {
    await cache.start();
    caches.push(cache);
    return cache;
  };
  let churn: ChildProcess | undefined;
  try {
    await Promise.all(rawKeys.map((key, i) => redis.set(key, JSON.stringify(values[i]), "EX", 300)));
    const bytes = JSON.stringify(values[0]).length;
    const baseline = await measure(`redis.get (bare, ${bytes} B JSON)`, () => redis.get(rawKeys[next()] as string));
    // What a caller without this cache does with the value: fetch and parse it.
    const parsed = await measure(
      "redis.get + JSON.parse",
      async () => JSON.parse((await redis.get(rawKeys[next()] as string)) as string) as unknown,
    );

    const tiered = await start(new Cache({ redis, prefix }));
    for (const [i, key] of keys.entries()) await tiered.getOrLoad(key, async () => values[i], options);
    const l1 = await measure("cache.getOrLoad, L1 hit", () => {
      const i = next();
      return tiered.getOrLoad(keys[i] as string, async () => values[i], options);
    });

    const l2Only = await start(new Cache({ redis, prefix, l1: false, timeoutMs: L2_TIMEOUT_MS }));
    const roundsOf: Measurement[][] = [];
    // This process's CPU per operation in each round (µs; warm-up included, alike for every row).
    const cpuOf: number[][] = [];
    const fromRedis: Array<[string, () => Promise<unknown>]> = [
      ["redis.get + JSON.parse (interleaved)", async () => JSON.parse((await redis.get(rawKeys[next()] as string)) as string) as unknown],
      [
        "cache.getOrLoad, L2 hit (L1 off)",
        () => {
          const i = next();
          return l2Only.getOrLoad(keys[i] as string, async () => values[i], options);
        },
      ],
    ];

    let compared: Cache | undefined;
    if (COMPARE) {
      const { Cache: ComparedCache } = (await import(COMPARE)) as { Cache: typeof Cache };
      compared = await start(new ComparedCache({ redis, prefix: `${prefix}c`, l1: false, timeoutMs: L2_TIMEOUT_MS }));
      const comparedKeys = keys.map((key) => `${prefix}c${key.slice(prefix.length)}`);
      for (const [i, key] of comparedKeys.entries()) await compared.getOrLoad(key, async () => values[i], options);
      const other = compared;
      fromRedis.push([
        "cache.getOrLoad, L2 hit (L1 off), compared build",
        () => {
          const i = next();
          return other.getOrLoad(comparedKeys[i] as string, async () => values[i], options);
        },
      ]);
    }

    // The same values, TTL and JSON serialization through two other libraries, Redis only (no memory tier).
    const bentoRedis = new Redis(url);
    const bento = new BentoCache({
      default: "redis",
      prefix: `${prefix}:bento`,
      stores: { redis: bentostore().useL2Layer(redisDriver({ connection: bentoRedis })) },
    });
    const cacheable = new Cacheable({ primary: createKeyv(url), ttl: "300s" });
    try {
      for (const [i, key] of keys.entries()) {
        await bento.getOrSet({ key, factory: () => values[i], ttl: "300s" });
        await cacheable.getOrSet(`${key}:cacheable`, async () => values[i], { ttl: "300s" });
      }
      fromRedis.push(
        [
          "BentoCache getOrSet, Redis hit (L2 only)",
          () => {
            const i = next();
            return bento.getOrSet({ key: keys[i] as string, factory: () => values[i], ttl: "300s" });
          },
        ],
        [
          "cacheable getOrSet, Redis hit (Keyv Redis primary)",
          () => {
            const i = next();
            return cacheable.getOrSet(`${keys[i] as string}:cacheable`, async () => values[i], { ttl: "300s" });
          },
        ],
      );
      // Interleaved short rounds (the order alternating), so that load from elsewhere falls on every row alike.
      for (let round = 0; round < ROUNDS; round++) {
        const order = fromRedis.map((_, i) => i);
        if (round % 2 === 1) order.reverse();
        for (const i of order) {
          const [name, operation] = fromRedis[i] as [string, () => Promise<unknown>];
          const cpu = process.cpuUsage();
          const measured = await measure(name, operation, { durationMs: ROUND_MS, warmupMs: round === 0 ? 300 : 50 });
          const used = process.cpuUsage(cpu);
          (roundsOf[i] ??= []).push(measured);
          (cpuOf[i] ??= []).push((used.user + used.system) / measured.ops);
        }
      }
    } finally {
      await bento.deleteMany({ keys });
      await bento.disconnectAll();
      await cacheable.deleteMany(keys.map((key) => `${key}:cacheable`));
      await cacheable.disconnect();
      bentoRedis.disconnect();
    }

    churn = startChurn(url, prefix, 200);
    await Promise.race([
      once(churn.stdout as NonNullable<ChildProcess["stdout"]>, "data"),
      once(churn, "exit").then(([code]) => Promise.reject(new Error(`the churn process exited (${String(code)}) before it was ready`))),
      new Promise((_, reject) => setTimeout(() => reject(new Error("the churn process was not ready within 10 s")), 10_000).unref()),
    ]);
    const fenceBefore = await redis.xlen(`${prefix}:__cache:fence`);
    const underChurn = await measure("cache.get, L1 hit, another process invalidating", () => tiered.get(keys[next()] as string));
    const replayed = (await redis.xlen(`${prefix}:__cache:fence`)) - fenceBefore;

    const [parsedInterleaved, l2, ...others] = roundsOf.map(merge) as [Measurement, Measurement, ...Measurement[]];
    /** Row i's throughput over the baseline's, round by round (each pair measured back to back). */
    const roundRatios = (i: number) =>
      (roundsOf[i] ?? []).map((m, round) => m.opsPerSecond / (roundsOf[0]?.[round]?.opsPerSecond ?? Number.NaN));
    const ratio = (m: Measurement) =>
      m.p50Ms <= baseline.p50Ms
        ? `${fmt(m.p50Ms)} ms p50 (${fmt(baseline.p50Ms / m.p50Ms, 1)}x faster than the bare GET's ${fmt(baseline.p50Ms)} ms)`
        : `${fmt(m.p50Ms)} ms p50 (${fmt(m.p50Ms / baseline.p50Ms, 1)}x the bare GET's ${fmt(baseline.p50Ms)} ms)`;
    const stats = tiered.stats();
    report(
      "Cache library (@secapi/cache)",
      baseline,
      [parsed, l1, underChurn],
      [
        `L1 hit: ${ratio(l1)}. Under churn: ${ratio(underChurn)}.`,
        `Churn: ~${replayed} invalidations recorded in the fence during that run; L1 hit rate stayed ${fmt(stats.hitRate * 100, 2)}% ` +
          `(${stats.l1.entries} entries, ${stats.l1.bytes} bytes in L1, ${stats.errors} errors).`,
      ],
    );
    report(
      "From Redis: hits that read the value from Redis, interleaved rounds",
      parsedInterleaved,
      [l2, ...others],
      [
        `${ROUNDS} interleaved rounds of ${ROUND_MS} ms, concurrency 16; every row reads the same ~2 KB JSON values (256 keys), TTL 300 s. ` +
          `L2 hit against GET + JSON.parse: ${fmt(l2.opsPerSecond / parsedInterleaved.opsPerSecond, 2)}x the throughput over all rounds, ` +
          `median of the rounds' ratios ${fmt(median(roundRatios(1)), 2)}x (${roundRatios(1)
            .map((r) => fmt(r, 2))
            .join(", ")}); target ≥ 0.85x.`,
        `Answered by the loader instead of Redis (bypasses; a round with many measured an outage): this build ${l2Only.stats().bypasses}` +
          (compared
            ? `, compared build ${compared.stats().bypasses}. This build's L2 hit against the compared build's: ` +
              `${fmt(l2.opsPerSecond / (others[0]?.opsPerSecond ?? Number.NaN), 2)}x over all rounds, median of the rounds' ratios ` +
              `${fmt(median((roundsOf[1] ?? []).map((m, round) => m.opsPerSecond / (roundsOf[2]?.[round]?.opsPerSecond ?? Number.NaN))), 2)}x.`
            : "."),
        `Client CPU per operation, median over rounds (µs): ${fromRedis
          .map(([name], i) => `${name} ${fmt(median(cpuOf[i] ?? []), 1)}`)
          .join("; ")}. L2 hit by CPU: ${fmt(median(cpuOf[0] ?? []) / median(cpuOf[1] ?? [1]), 2)}x of GET + JSON.parse's cost.`,
      ],
    );
  } finally {
    churn?.kill();
    if (churn && churn.exitCode === null) await once(churn, "exit");
    for (const cache of caches) await cache.close();
    await deleteKeysByPrefix(redis, prefix);
    redis.disconnect();
  }
}
