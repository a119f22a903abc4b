import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { Cache, type CacheSetOptions } from "@secapi/cache";
import { deleteKeysByPrefix } from "@secapi/testing";
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

    const l2Only = await start(new Cache({ redis, prefix, l1: false }));
    const l2 = await measure("cache.getOrLoad, L2 hit (L1 off)", () => {
      const i = next();
      return l2Only.getOrLoad(keys[i] as string, async () => values[i], options);
    });

    churn = startChurn(url, prefix, 200);
    await Promise.race([
      once(churn.stdout as NonNullable<ChildProcess["stdout"]>, "data"),
      once(churn, "exit").then(([code]) => Promise.reject(new Error(`the churn process exited (${String(code)}) before it was ready`))),
      new Promise((_, reject) => setTimeout(() => reject(new Error("the churn process was not ready within 10 s")), 10_000).unref()),
    ]);
    const fenceBefore = await redis.xlen(`${prefix}:__cache:fence`);
    const underChurn = await measure("cache.get, L1 hit, another process invalidating", () => tiered.get(keys[next()] as string));
    const replayed = (await redis.xlen(`${prefix}:__cache:fence`)) - fenceBefore;

    const ratio = (m: Measurement) =>
      m.p50Ms <= baseline.p50Ms
        ? `${fmt(m.p50Ms)} ms p50 (${fmt(baseline.p50Ms / m.p50Ms, 1)}x faster than the bare GET's ${fmt(baseline.p50Ms)} ms)`
        : `${fmt(m.p50Ms)} ms p50 (${fmt(m.p50Ms / baseline.p50Ms, 1)}x the bare GET's ${fmt(baseline.p50Ms)} ms)`;
    const stats = tiered.stats();
    report(
      "Cache library (@secapi/cache)",
      baseline,
      [parsed, l1, l2, underChurn],
      [
        `L1 hit: ${ratio(l1)}. L2 hit: ${ratio(l2)}; against GET + JSON.parse: ${fmt(l2.opsPerSecond / parsed.opsPerSecond, 2)}x the throughput. Under churn: ${ratio(underChurn)}.`,
        `Churn: ~${replayed} invalidations recorded in the fence during that run; L1 hit rate stayed ${fmt(stats.hitRate * 100, 2)}% ` +
          `(${stats.l1.entries} entries, ${stats.l1.bytes} bytes in L1, ${stats.errors} errors).`,
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
