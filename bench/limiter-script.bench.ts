import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type LimitWindow, RateLimiter } from "@secapi/limiter";
import { freePort } from "@secapi/testing";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { BASELINE_POINTS, submissionWindows as windows } from "./limiter-windows.js";

/**
 * What a rate-limit check costs Redis, counted instead of timed: redis-server runs under callgrind, and the
 * instructions it executes for a batch of calls (script, command dispatch and reply; not the kernel's
 * socket work) are divided by the batch size. Counts repeat from run to run whatever else the machine is
 * doing, so this is the bench to judge a change to the Lua scripts by. Needs valgrind; skipped without it.
 *
 * The three-window check runs on a simulated clock (16 checks per subject per second, as in the throughput
 * bench), after a minute of history, so that its usual path and the once-a-second closing of a bucket are
 * both in the count. Checks go out `CONCURRENCY` at a time, which the limiter sends as one call (batched, its
 * default) or as one call each (`batchSize: 1`): figures are per check either way.
 */

const SUBJECTS = 10;
const CHECKS_PER_SUBJECT_SECOND = 16;
const CONCURRENCY = 16;
const HISTORY_SECONDS = 62;
const MEASURED_SECONDS = 10;
/** Another build of the limiter (its `dist/index.js`), counted as one more row: see limiter.bench.ts. */
const COMPARE = process.env.BENCH_LIMITER_COMPARE;

function installed(command: string): boolean {
  try {
    execFileSync(command, ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A redis-server under callgrind, whose counters can be zeroed and read between batches. */
class CallgrindRedis {
  private dumps = 0;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(): Promise<CallgrindRedis> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "secapi-callgrind-"));
    const child = spawn(
      "valgrind",
      [
        "--tool=callgrind",
        `--callgrind-out-file=${dir}/callgrind.out`,
        "redis-server",
        "--port",
        String(port),
        "--save",
        "",
        "--appendonly",
        "no",
        // serverCron runs hz times a second whatever the load; at the default 10 its instructions, spread over a
        // batch that takes longer on a busy machine, moved the per-call counts by up to 15 %.
        "--hz",
        "1",
      ],
      { stdio: "ignore" },
    );
    const server = new CallgrindRedis(child, dir, port);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const probe = new Redis(port, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on("error", () => {});
      const up = await probe.connect().then(
        () => true,
        () => false,
      );
      probe.disconnect();
      if (up) return server;
      if (Date.now() > deadline) throw new Error("redis-server under valgrind did not start");
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Instructions executed while `batch` ran. */
  async instructions(batch: () => Promise<void>): Promise<number> {
    execFileSync("callgrind_control", ["--zero", String(this.child.pid)], { stdio: "ignore" });
    await batch();
    execFileSync("callgrind_control", ["--dump", String(this.child.pid)], { stdio: "ignore" });
    this.dumps++;
    const file = `callgrind.out.${this.dumps}`;
    for (let waited = 0; !readdirSync(this.dir).includes(file); waited += 50) {
      if (waited > 10_000) throw new Error(`callgrind wrote no ${file}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(this.dir, file), "utf8"));
    if (!totals) throw new Error(`no totals in ${file}`);
    return Number(totals[1]);
  }

  stop(): void {
    this.child.kill("SIGKILL");
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Runs `call` `count` times, `CONCURRENCY` at a time. */
async function run(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += CONCURRENCY) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count - i) }, (_, k) => call(i + k)));
  }
}

export default async function limiterScriptBench(): Promise<void> {
  console.log("\n## Rate limiting: Redis instructions per check (callgrind)\n");
  if (!installed("valgrind")) {
    console.log("Skipped: valgrind is not installed (Debian: apt-get install valgrind).");
    return;
  }
  const server = await CallgrindRedis.start();
  const redis = new Redis(server.port);
  try {
    const flexible = new RateLimiterRedis({
      storeClient: redis,
      useRedisPackage: false,
      keyPrefix: "flx",
      points: BASELINE_POINTS,
      duration: 60,
    });
    let nowMs = Date.UTC(2031, 0, 10, 12, 0, 0);
    const limiter = new RateLimiter({ redis, prefix: "rl", clock: () => nowMs, timeoutMs: 60_000, failMode: "closed" });
    const unbatched = new RateLimiter({ redis, prefix: "rl1", clock: () => nowMs, timeoutMs: 60_000, failMode: "closed", batchSize: 1 });
    const other = COMPARE ? ((await import(pathToFileURL(resolve(COMPARE)).href)) as { RateLimiter: typeof RateLimiter }) : undefined;
    const before = other && new other.RateLimiter({ redis, prefix: "cmp", clock: () => nowMs, timeoutMs: 60_000, failMode: "closed" });
    const perSecond = SUBJECTS * CHECKS_PER_SUBJECT_SECOND;
    const checks = (seconds: number, subjectWindows: LimitWindow[], checker: RateLimiter = limiter) =>
      run(seconds * perSecond, async (i) => {
        if (i % perSecond === 0) nowMs += 1000;
        const decision = await checker.check({ subject: `user:${i % SUBJECTS}`, windows: subjectWindows });
        if (decision.outcome !== "allowed") throw new Error(`check was ${decision.outcome}`);
      });

    const measured = MEASURED_SECONDS * perSecond;
    await run(measured, (i) => flexible.consume(`user:${i % SUBJECTS}`));
    const baseline = (await server.instructions(() => run(measured, (i) => flexible.consume(`user:${i % SUBJECTS}`)))) / measured;
    await checks(HISTORY_SECONDS, windows);
    const three = (await server.instructions(() => checks(MEASURED_SECONDS, windows))) / measured;
    const one = (await server.instructions(() => checks(MEASURED_SECONDS, windows.slice(0, 1)))) / measured;
    // Keys of its own (prefix "rl1"), with the same minute of history first.
    await checks(HISTORY_SECONDS, windows, unbatched);
    const threeAlone = (await server.instructions(() => checks(MEASURED_SECONDS, windows, unbatched))) / measured;
    let compared: number | undefined;
    if (before) {
      // Keys of its own (prefix "cmp"), with the same minute of history first.
      await checks(HISTORY_SECONDS, windows, before);
      compared = (await server.instructions(() => checks(MEASURED_SECONDS, windows, before))) / measured;
    }

    const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
    console.log("| operation | Redis instructions per check | vs baseline |");
    console.log("|---|---:|---:|");
    console.log(`| rate-limiter-flexible RateLimiterRedis.consume (1 fixed window) | ${fmt(baseline)} | baseline |`);
    console.log(
      `| RateLimiter.check (minute + hour sliding, month), ${CONCURRENCY} checks per call | ${fmt(three)} | ${(three / baseline).toFixed(2)}× |`,
    );
    console.log(
      `| RateLimiter.check (minute sliding only), ${CONCURRENCY} checks per call | ${fmt(one)} | ${(one / baseline).toFixed(2)}× |`,
    );
    console.log(
      `| RateLimiter.check (minute + hour sliding, month), batchSize 1: one call per check | ${fmt(threeAlone)} | ${(threeAlone / baseline).toFixed(2)}× |`,
    );
    if (compared !== undefined) {
      console.log(
        `| RateLimiter.check (minute + hour sliding, month), build at ${COMPARE} | ${fmt(compared)} | ${(compared / baseline).toFixed(2)}× |`,
      );
    }
    console.log(
      `\n${SUBJECTS} subjects, ${CHECKS_PER_SUBJECT_SECOND} checks per subject per simulated second, concurrency ${CONCURRENCY}, ` +
        `${measured} checks per row after ${HISTORY_SECONDS} s of history. User-space instructions of redis-server (the ` +
        "kernel's socket work is not counted: one call per check pays more of it). Per check; lower is better.",
    );
  } finally {
    redis.disconnect();
    server.stop();
  }
}
