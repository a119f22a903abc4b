import { TestRedisServer, uniqueId, waitFor } from "@secapi/testing";
import type { Redis } from "ioredis";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LimitWindow } from "../src/index.js";
import { bucketTotal, connect, monthCount, windowRef } from "./limiter-fixtures.js";

/**
 * The fallback's bound across processes: two API processes (children running the built package, each with its
 * own connection) share one subject's limits on a redis-server of this file's own, which goes away mid-way.
 * Bound (README "Failure semantics"): the processes together admit at most `limit + unseen` in a window, where
 * `unseen` is the usage the least informed process had not seen from Redis when it went away; when both had
 * seen the latest usage, at most the limit.
 */

// The windows of test/fixtures/limiter-child.mjs.
const scansHour: LimitWindow = { name: "scans-hour", kind: "sliding", windowSeconds: 3600, limit: 10 };
const scansMonth: LimitWindow = { name: "scans-month", kind: "calendar-month", limit: 100 };
const requests: LimitWindow = { name: "requests", kind: "sliding", windowSeconds: 3600, limit: 20 };

interface Decision {
  outcome: "allowed" | "denied" | "unavailable";
  source?: "redis" | "fallback" | "memory";
  used: number[];
}
interface Reply {
  id: number;
  decisions: Decision[];
  failedChecks: number;
}

/** One API process: a child running test/fixtures/limiter-child.mjs. */
class LimiterProcess {
  processes = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, (reply: Reply) => void>();
  private readonly exited: Promise<unknown>;

  private constructor(private readonly child: ChildProcessByStdio<Writable, Readable, null>) {
    this.exited = new Promise((resolve) => child.once("exit", resolve));
  }

  static async start(env: Record<string, string>): Promise<LimiterProcess> {
    const script = fileURLToPath(new URL("./fixtures/limiter-child.mjs", import.meta.url));
    const child = spawn(process.execPath, [script], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "inherit"] });
    const started = new LimiterProcess(child);
    const ready = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout }).on("line", (line) => {
        const message = JSON.parse(line) as { event?: string; count?: number; id?: number };
        if (message.event === "ready") resolve();
        else if (message.event === "processes") started.processes = message.count ?? 0;
        else if (message.id !== undefined) started.waiting.get(message.id)?.(message as Reply);
      });
    });
    await Promise.race([ready, started.exited.then(() => Promise.reject(new Error("the limiter child exited before it was ready")))]);
    return started;
  }

  /** `times` checks at once (in this process), or peeks. */
  check(windows: "scans" | "requests", times: number, peek = false): Promise<Reply> {
    return this.send({ op: "check", windows, times, peek });
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      await Promise.race([this.send({ op: "close" }), this.exited]);
      this.child.kill();
    }
    await this.exited;
  }

  private send(command: object): Promise<Reply> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.child.stdin.write(`${JSON.stringify({ id, ...command })}\n`);
    });
  }
}

const allowed = (...replies: Reply[]) => replies.flatMap((r) => r.decisions).filter((d) => d.outcome === "allowed").length;
const sources = (...replies: Reply[]) => new Set(replies.flatMap((r) => r.decisions).map((d) => d.source));
/** The usage of window `index` in the last decision of a reply: what that process last saw. */
const lastSeen = (reply: Reply, index = 0) => reply.decisions.at(-1)?.used[index] ?? -1;

let dir: string;
let server: TestRedisServer;
let admin: Redis;
const started: LimiterProcess[] = [];

beforeAll(async () => {
  const dist = fileURLToPath(new URL("../dist/index.js", import.meta.url));
  if (!existsSync(dist)) throw new Error(`${dist} is missing: build the package first (pnpm test does)`);
  // Persisted on every write: a server killed and started again comes back with what it had acknowledged.
  dir = mkdtempSync(join(tmpdir(), "limiter-fallback-"));
  server = await TestRedisServer.start(["--appendonly", "yes", "--appendfsync", "always", "--dir", dir]);
  admin = await connect(server.url(), {});
});

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.stop()));
  await server.start();
});

afterAll(async () => {
  admin.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Each process's limiter timeout: long enough that a loaded machine answers every healthy check within it, short
 * enough that the paused test's rounds of timeouts take seconds.
 */
const TIMEOUT_MS = 1000;
// The longest the paused Redis stays hung (TestRedisServer.stall): it is resumed once the rounds are done.
const STALL_MS = 60_000;

/** Two API processes limiting one subject, each having counted the other through Redis. */
async function twoProcesses(): Promise<{ a: LimiterProcess; b: LimiterProcess; prefix: string; subject: string }> {
  const prefix = uniqueId("rl");
  const subject = `user:${uniqueId()}`;
  const env = { REDIS_URL: server.url(), PREFIX: prefix, SUBJECT: subject, TIMEOUT_MS: String(TIMEOUT_MS) };
  const [a, b] = await Promise.all([LimiterProcess.start(env), LimiterProcess.start(env)]);
  started.push(a, b);
  // A process joins at its first check; a peek consumes nothing.
  await Promise.all([a.check("requests", 1, true), b.check("requests", 1, true)]);
  await waitFor(() => a.processes === 2 && b.processes === 2, { timeoutMs: 20_000, what: "both processes to count two" });
  return { a, b, prefix, subject };
}

/** Peeks in both processes until each decides with Redis again (which also starts its merge). */
async function untilBothUseRedis(a: LimiterProcess, b: LimiterProcess): Promise<void> {
  for (const p of [a, b]) {
    await waitFor(async () => sources(await p.check("requests", 1, true)).has("redis"), {
      timeoutMs: 20_000,
      what: "Redis decisions again",
    });
  }
}

describe("two API processes in fallback share each limit", () => {
  it("Redis killed: together they admit at most the limit when both had seen the usage, and Redis holds it all when it returns", async () => {
    const { a, b, prefix, subject } = await twoProcesses();

    // Through Redis: 4 scans (2 from each), then A looks again, so both have seen 4 of 10.
    // Requests: 3 from A, then 6 from B: A has seen 3 of 20, B 9.
    const healthy = [await a.check("scans", 2), await b.check("scans", 2)];
    const lookAgain = await a.check("scans", 1, true);
    const healthyRequests = [await a.check("requests", 3), await b.check("requests", 6)];
    expect(sources(...healthy, lookAgain, ...healthyRequests)).toEqual(new Set(["redis"]));
    expect([lastSeen(lookAgain), lastSeen(healthy[1] as Reply)]).toEqual([4, 4]);
    expect(healthyRequests.map((r) => lastSeen(r))).toEqual([3, 9]);

    await server.stop();
    const [scansA, scansB] = await Promise.all([a.check("scans", 10), b.check("scans", 10)]);
    const [requestsA, requestsB] = await Promise.all([a.check("requests", 20), b.check("requests", 20)]);
    expect(sources(scansA, scansB, requestsA, requestsB)).toEqual(new Set(["fallback"]));

    // Scans: each process admits floor((10 − 4) / 2) = 3, so 4 + 6 = the limit (the old fallback: 4 + 2 × 10 = 24).
    expect([allowed(scansA), allowed(scansB)]).toEqual([3, 3]);
    const scans = allowed(...healthy) + allowed(scansA, scansB);
    expect(scans).toBeLessThanOrEqual(scansHour.limit);
    // Requests: A had not seen B's 6 (unseen = 9 − 3): floor(17 / 2) + floor(11 / 2) = 13 on top of 9 = 22 ≤ 20 + 6.
    expect([allowed(requestsA), allowed(requestsB)]).toEqual([8, 5]);
    const requestCount = allowed(...healthyRequests) + allowed(requestsA, requestsB);
    expect(requestCount).toBeLessThanOrEqual(requests.limit + (9 - 3));

    await server.start();
    await untilBothUseRedis(a, b);
    // Merged back: Redis counts every admission once (it kept what it had acknowledged before it was killed).
    const ref = (window: LimitWindow) => windowRef(prefix, subject, window, Date.now());
    await waitFor(
      async () => (await bucketTotal(admin, ref(scansHour))) === scans && (await bucketTotal(admin, ref(requests))) === requestCount,
      {
        timeoutMs: 20_000,
        what: "both processes' fallback usage merged into Redis",
      },
    );
    expect(await monthCount(admin, ref(scansMonth))).toBe(String(scans));
    const after = await a.check("scans", 1);
    expect(after.decisions[0]).toMatchObject({ outcome: "denied", source: "redis", used: [10, scans] });
  });

  it("Redis paused (every call times out): the same bound, and Redis counts at least every admission afterwards", async () => {
    const { a, b, prefix, subject } = await twoProcesses();
    const healthy = [await a.check("scans", 3), await b.check("scans", 2)];
    const lookAgain = await a.check("scans", 1, true);
    expect(sources(...healthy, lookAgain)).toEqual(new Set(["redis"]));
    expect([lastSeen(lookAgain), lastSeen(healthy[1] as Reply)]).toEqual([5, 5]);

    const stall = server.stall(STALL_MS);
    // Rounds of checks in flight at once, each round timing out together, until the breakers open.
    const rounds: Reply[] = [];
    for (let round = 0; round < 4; round++) rounds.push(...(await Promise.all([a.check("scans", 3), b.check("scans", 3)])));
    expect(stall.isOver()).toBe(false);
    await stall.end();
    expect(sources(...rounds)).toEqual(new Set(["fallback"]));
    // Both had seen 5 of 10: floor(5 / 2) = 2 each.
    const admitted = allowed(...healthy) + allowed(...rounds);
    expect(admitted).toBe(9);
    expect(admitted).toBeLessThanOrEqual(scansHour.limit);

    await untilBothUseRedis(a, b);
    // A check that timed out may still have run when Redis resumed (README: it then counts twice): Redis holds every
    // admission, and at most those late runs more.
    const timedOut = (rounds.at(-2)?.failedChecks ?? 0) + (rounds.at(-1)?.failedChecks ?? 0);
    const ref = windowRef(prefix, subject, scansHour, Date.now());
    await waitFor(async () => (await bucketTotal(admin, ref)) >= admitted, { timeoutMs: 20_000, what: "fallback usage merged into Redis" });
    expect(await bucketTotal(admin, ref)).toBeLessThanOrEqual(admitted + timedOut);
  });
});
