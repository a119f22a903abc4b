import { TestRedisServer, waitFor } from "@secapi/testing";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestApi, secretsInput } from "./api-fixture.js";

// Issue "Survive faults": a cache Redis that blocks for seconds at a time, again and again (`DEBUG SLEEP` in a loop),
// used to hold concurrent cache-hit reads for the length of each sleep (~2.2 s each) although one read at a time
// stayed fast. A single long stall (slow-dependencies.int.test.ts) does not show it: what matters is every short
// window in which Redis answers again between sleeps. Each bound here is what the same load takes with Redis awake
// (measured in the test) plus a fraction of the sleep, never a duration of its own, and every probe is checked
// against the sleep windows the sleeper itself saw.

// Each sleep as long as the (2 s) and then some: a read that Postgres answers instead of the cache
// (BYPASS) costs more than a hit, and the bounds allow a quarter of the sleep for it.
const SLEEP_S = 3;
const SLEEP_MS = SLEEP_S * 1000;
const SLEEPS = 3;
const CONCURRENT_READS = 20;
const RESULT = { summary: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, total: 0 }, findings: [] };

let queueServer: TestRedisServer;
let cacheServer: TestRedisServer;
let api: TestApi;
let key: string;
const scanIds: string[] = [];

beforeAll(async () => {
  [queueServer, cacheServer] = await Promise.all([TestRedisServer.start(), TestRedisServer.start(["--enable-debug-command", "yes"])]);
  // The production timeouts: they are what keeps the API answering while its cache Redis sleeps.
  api = await TestApi.start({ REDIS_URL: queueServer.url(0), REDIS_CACHE_URL: cacheServer.url(0) }, TestApi.PRODUCTION_TIMEOUTS);
  key = (await api.createUser("pro")).key;
  for (let i = 0; i < 5; i++) {
    const { body } = await api.request("POST", "/api/v1/scans", { key, body: { type: "secrets", input: secretsInput(`sleepy-${i}`) } });
    await api.completeRun(body.id, RESULT);
    scanIds.push(body.id);
  }
});
afterAll(async () => {
  await api.close();
  await Promise.all([queueServer.stop(), cacheServer.stop()]);
});

/** When a request was sent and answered (performance.now() ms), and how. */
interface Timed {
  from: number;
  to: number;
  status: number;
  cacheStatus: string | null;
}
const ms = (t: Timed) => t.to - t.from;

/** Sleep windows as the sleeper saw them: from sending `DEBUG SLEEP` to its reply. */
type Window = [from: number, to: number];

async function timed(path: string, withKey = true): Promise<Timed> {
  const from = performance.now();
  const response = await api.request("GET", path, withKey ? { key } : {});
  return { from, to: performance.now(), status: response.status, cacheStatus: response.headers.get("x-cache-status") };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** Asks `path` over and over, one request at a time, until `done()`. */
async function loop(path: string, done: () => boolean, into: Timed[], withKey = true): Promise<void> {
  while (!done()) {
    into.push(await timed(path, withKey));
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** CONCURRENT_READS cache-hit readers, one `/ready` and one `/health` prober, until `done()`. */
async function load(done: () => boolean): Promise<{ reads: Timed[]; readies: Timed[]; healths: Timed[] }> {
  const reads: Timed[] = [];
  const readies: Timed[] = [];
  const healths: Timed[] = [];
  await Promise.all([
    ...Array.from({ length: CONCURRENT_READS }, (_, i) => loop(`/api/v1/scans/${scanIds[i % scanIds.length]}`, done, reads)),
    loop("/ready", done, readies, false),
    loop("/health", done, healths, false),
  ]);
  return { reads, readies, healths };
}

describe("a cache Redis that sleeps seconds at a time, again and again", () => {
  it(
    `${CONCURRENT_READS} concurrent cache-hit readers answer within a fraction of the sleep beyond their awake latency, and /ready and /health answer during the sleeps`,
    { timeout: 120_000 },
    async () => {
      for (const id of scanIds)
        await waitFor(async () => (await timed(`/api/v1/scans/${id}`)).cacheStatus === "HIT", { what: `scan ${id} cached` });

      // The same load with Redis awake, for as long as one sleep before the sleeps and one after: what this machine
      // takes right now. The bounds below add a fraction of the sleep to it, so a loaded machine moves both alike.
      const awakeFor = (msLong: number) => {
        const until = performance.now() + msLong;
        return load(() => performance.now() > until);
      };
      const awakeBefore = await awakeFor(SLEEP_MS);

      const sleeper = new Redis(cacheServer.url(0), { maxRetriesPerRequest: 0 });
      const windows: Window[] = [];
      let sleeping = true;
      // Back to back, as a Redis blocked by one slow command after another: Redis answers only in the gaps.
      const sleeps = (async () => {
        try {
          for (let i = 0; i < SLEEPS; i++) {
            const from = performance.now();
            await sleeper.call("DEBUG", "SLEEP", String(SLEEP_S));
            windows.push([from, performance.now()]);
            await new Promise((r) => setTimeout(r, 20));
          }
        } finally {
          sleeping = false;
        }
      })();
      const [asleep] = await Promise.all([load(() => !sleeping), sleeps]);
      sleeper.disconnect();
      const awakeAfter = await awakeFor(SLEEP_MS);
      const awake = {
        reads: [...awakeBefore.reads, ...awakeAfter.reads],
        readies: [...awakeBefore.readies, ...awakeAfter.readies],
        healths: [...awakeBefore.healths, ...awakeAfter.healths],
      };

      /** Requests sent and answered inside one sleep: they cannot have waited for Redis to wake up. */
      const inside = (list: Timed[]) => list.filter((t) => windows.some(([from, to]) => t.from >= from && t.to <= to));
      const p90 = (list: Timed[]) => quantile(list.map(ms), 0.9);
      const summary = (name: string, list: Timed[]) =>
        `${name}: ${list.length} (${inside(list).length} inside a sleep), p50 ${quantile(list.map(ms), 0.5).toFixed(0)} ms, p90 ${p90(list).toFixed(0)} ms, max ${Math.max(...list.map(ms)).toFixed(0)} ms`;
      const byStatus = ["HIT", "MISS", "BYPASS"]
        .map((status) => [status, inside(asleep.reads).filter((r) => r.cacheStatus === status)] as const)
        .filter(([, list]) => list.length > 0)
        .map(([status, list]) => summary(`reads ${status} inside a sleep`, list));
      console.log(
        `[api] cache Redis sleeping ${SLEEPS}× ${SLEEP_MS} ms (windows ${windows.map(([f, t]) => (t - f).toFixed(0)).join(", ")} ms): ${[
          summary("awake reads", awake.reads),
          summary("reads", asleep.reads),
          ...byStatus,
          summary("awake /ready", awake.readies),
          summary("/ready", asleep.readies),
          summary("awake /health", awake.healths),
          summary("/health", asleep.healths),
        ].join("; ")}`,
      );

      expect(windows).toHaveLength(SLEEPS);
      // Every read answered, from the cache or from Postgres.
      expect(asleep.reads.filter((r) => r.status !== 200)).toEqual([]);
      // Most reads were sent and answered within one sleep: the bug kept each waiting for Redis to wake up.
      expect(asleep.reads.length).toBeGreaterThanOrEqual(CONCURRENT_READS * SLEEPS);
      expect(inside(asleep.reads).length).toBeGreaterThan(asleep.reads.length / 2);
      // Nine in ten answer within what they take with Redis awake plus a quarter of the sleep (answered from
      // Postgres costs more than a cache hit); the bug added up to a whole sleep to about a third of them.
      expect(p90(asleep.reads)).toBeLessThan(p90(awake.reads) + SLEEP_MS / 4);
      // /ready never asks the cache: 200, answered while Redis slept, and no slower than a quarter sleep beyond awake.
      expect(inside(asleep.readies).filter((r) => r.status === 200).length).toBeGreaterThan(0);
      expect(p90(asleep.readies)).toBeLessThan(p90(awake.readies) + SLEEP_MS / 4);
      // /health asks the cache, but only up to its own timeout: it answers while Redis sleeps, not after.
      expect(inside(asleep.healths).filter((r) => r.status === 200).length).toBeGreaterThan(0);
      expect(p90(asleep.healths)).toBeLessThan(p90(awake.healths) + SLEEP_MS / 4);

      await waitFor(async () => (await timed(`/api/v1/scans/${scanIds[0]}`)).cacheStatus === "HIT", {
        what: "cache hits once Redis is awake",
      });
    },
  );
});
