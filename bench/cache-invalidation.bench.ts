import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Cache } from "@secapi/cache";
import { deleteKeysByPrefix } from "@secapi/testing";
import { Redis } from "ioredis";
import { type Measurement, report, summarise } from "./harness.js";

const ROUNDS = 200;
/** The fence bound the API runs with: the latest an L1 may serve an entry invalidated elsewhere. */
const FENCE_MS = 100;
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * How soon an invalidation reaches another instance's L1 by pub/sub (the tests assert that the message does
 * it, and that the fence bounds it without the message; the number itself is measured here, where a loaded
 * machine does not fail a build). The reader's fence is 60 s, so only the message can explain what is
 * measured. Reported as ratios: against the fence bound the API runs with (the target: well under 1) and
 * against a bare PING round trip on the same Redis.
 */
export default async function (): Promise<void> {
  const url = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/1";
  const prefix = `bench${randomBytes(4).toString("hex")}`;
  const connections = Array.from({ length: 4 }, () => new Redis(url));
  const [writerRedis, writerSubscriber, readerRedis, readerSubscriber] = connections as [Redis, Redis, Redis, Redis];
  const writer = new Cache({ redis: writerRedis, subscriber: writerSubscriber, prefix, timeoutMs: 1000 });
  const reader = new Cache({ redis: readerRedis, subscriber: readerSubscriber, prefix, timeoutMs: 1000, fenceMs: 60_000 });
  try {
    await Promise.all([writer.start(), reader.start()]);
    const pings: number[] = [];
    const pingStarted = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      const started = performance.now();
      await readerRedis.ping();
      pings.push(performance.now() - started);
    }
    const ping = summarise("PING round trip (baseline)", pings, performance.now() - pingStarted);

    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < ROUNDS; i++) {
      const key = `${prefix}:scan:${i}`;
      await writer.set(key, "old", { ttl: 60 });
      // Until the reader serves it from its own L1 (its first read fills L1 from Redis).
      while ((await reader.get(key)).value !== "old") await nextTurn();
      await reader.get(key);
      const deleted = performance.now();
      await writer.delete(key);
      while ((await reader.get(key)).value === "old") await nextTurn();
      latencies.push(performance.now() - deleted);
    }
    const invalidation = summarise("delete until the other instance's L1 stops serving (pub/sub)", latencies, performance.now() - started);
    const ratios = (m: Measurement) => `p50 ${fmt(m.p50Ms / FENCE_MS, 3)}, p99 ${fmt(m.p99Ms / FENCE_MS, 3)}`;
    report(
      "Cross-instance invalidation (@secapi/cache)",
      ping,
      [invalidation],
      [
        `Invalidation latency against the ${FENCE_MS} ms fence bound (target: under 1): ${ratios(invalidation)}; ` +
          `against a PING round trip: p50 ${fmt(invalidation.p50Ms / ping.p50Ms, 1)}x, p99 ${fmt(invalidation.p99Ms / ping.p99Ms, 1)}x ` +
          `(the delete's own round trips included).`,
      ],
    );
  } finally {
    await Promise.all([writer.close(), reader.close()]);
    await deleteKeysByPrefix(writerRedis, prefix);
    for (const connection of connections) connection.disconnect();
  }
}
