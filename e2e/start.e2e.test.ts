import { type ChildProcess, spawn } from "node:child_process";
import { type Server, createConnection, createServer } from "node:net";
import {
  FeedServer,
  REPO_ROOT,
  TEST_POSTGRES_URL,
  dropDatabase,
  freePort,
  npmAdvisory,
  uniqueId,
  waitFor,
  withDatabase,
} from "@secapi/testing";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";

const APPS = ["api", "scan-worker", "cache-worker"] as const;
const WAIT = { timeoutMs: 90_000 };

/**
 * What `pnpm start` runs after the build (tooling/local-stack's built entry), as a process in a process group of
 * its own, like a terminal's foreground job, against a database, a Redis port and app ports of the test's own.
 */
class LocalStack {
  readonly output: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  private constructor(
    readonly env: Record<string, string>,
    readonly database: string,
  ) {
    this.child = spawn(process.execPath, [`${REPO_ROOT}tooling/local-stack/dist/start.js`], {
      env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const collect = (chunk: Buffer) => this.output.push(chunk.toString("utf8"));
    this.child.stdout?.on("data", collect);
    this.child.stderr?.on("data", collect);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Nothing listens on the Redis port: the supervisor starts (and must stop) a redis-server of its own there. */
  static async start(overrides: Record<string, string> = {}): Promise<LocalStack> {
    const database = `secapi_t_${Math.floor(Date.now() / 1000)}_${uniqueId("")}`;
    const redisPort = await freePort();
    return new LocalStack(
      {
        DATABASE_URL: withDatabase(TEST_POSTGRES_URL, database),
        REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
        REDIS_CACHE_URL: `redis://127.0.0.1:${redisPort}/1`,
        PORT: String(await freePort()),
        SCAN_WORKER_PORT: String(await freePort()),
        CACHE_WORKER_PORT: String(await freePort()),
        QUEUE_PREFIX: uniqueId("start"),
        SHUTDOWN_TIMEOUT_MS: "10000",
        ...overrides,
      },
      database,
    );
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  healthUrl(app: (typeof APPS)[number]): string {
    const port = { api: this.env.PORT, "scan-worker": this.env.SCAN_WORKER_PORT, "cache-worker": this.env.CACHE_WORKER_PORT }[app];
    return `http://127.0.0.1:${port}/health`;
  }

  text(): string {
    return this.output.join("");
  }

  /** The lines an app wrote (the supervisor prefixes them with `[app]`). */
  linesOf(app: string): string[] {
    return this.text()
      .split("\n")
      .filter((line) => line.startsWith(`[${app}] `));
  }

  async healthy(app: (typeof APPS)[number]): Promise<boolean> {
    const response = await fetch(this.healthUrl(app), { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
    return response?.status === 200;
  }

  async waitForHealthy(app: (typeof APPS)[number]): Promise<void> {
    await waitFor(() => this.healthy(app), { ...WAIT, what: `${app} /health` }).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.text()}`);
    });
  }

  async waitForLine(pattern: RegExp, what: string): Promise<RegExpMatchArray> {
    return waitFor(() => this.text().match(pattern) ?? undefined, { ...WAIT, what }).catch((error: Error) => {
      throw new Error(`${error.message}\n${this.text()}`);
    });
  }

  async exitCode(): Promise<number | null> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 90_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async cleanUp(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      process.kill(this.pid, "SIGTERM");
      await this.exitCode();
    }
    await dropDatabase(this.database);
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Every app drained once: one "shutting down" and one "shutdown complete" line each, and never a second signal. */
function expectOneGracefulShutdownEach(stack: LocalStack) {
  for (const app of APPS) {
    const lines = stack.linesOf(app);
    expect(
      lines.filter((l) => l.includes("shutting down: draining in-flight work")),
      app,
    ).toHaveLength(1);
    expect(
      lines.filter((l) => l.includes('"msg":"shutdown complete"')),
      app,
    ).toHaveLength(1);
    expect(
      lines.filter((l) => l.includes("second signal")),
      app,
    ).toEqual([]);
    expect(
      lines.filter((l) => l.includes("shutdown timed out")),
      app,
    ).toEqual([]);
  }
}

let stack: LocalStack | undefined;
let squatter: Server | undefined;
afterEach(async () => {
  await stack?.cleanUp();
  stack = undefined;
  squatter?.close();
  squatter = undefined;
});

describe("pnpm start (tooling/local-stack)", () => {
  it(
    "stops every app with one SIGTERM on a SIGTERM, lets them drain, stops the Redis it started and exits 0",
    { timeout: 300_000 },
    async () => {
      stack = await LocalStack.start();
      for (const app of APPS) await stack.waitForHealthy(app);
      const redisPort = Number(new URL(stack.env.REDIS_URL ?? "").port);
      expect(await listening(redisPort)).toBe(true);

      process.kill(stack.pid, "SIGTERM");
      expect(await stack.exitCode()).toBe(0);

      expectOneGracefulShutdownEach(stack);
      for (const app of APPS) expect(stack.text()).toContain(`[start] ${app} stopped (code 0)`);
      expect(stack.text()).not.toContain("exited on its own");
      expect(await listening(redisPort)).toBe(false);
    },
  );

  it(
    "restarts a crashed app with growing back-off while the others keep serving, and stops gracefully on Ctrl-C",
    { timeout: 300_000 },
    async () => {
      // The cache-worker cannot start while something else holds its port: it exits 1, again and again.
      const cacheWorkerPort = await freePort();
      const holder = createServer((socket) => socket.destroy());
      squatter = holder;
      await new Promise<void>((resolve) => holder.listen(cacheWorkerPort, resolve));
      stack = await LocalStack.start({ CACHE_WORKER_PORT: String(cacheWorkerPort) });

      await stack.waitForHealthy("api");
      await stack.waitForHealthy("scan-worker");
      let apiProbes = 0;
      let apiFailures = 0;
      const probing = setInterval(() => {
        void stack?.healthy("api").then((ok) => {
          apiProbes++;
          if (!ok) apiFailures++;
        });
      }, 250);
      try {
        for (const delay of [1, 2, 4]) {
          await stack.waitForLine(
            new RegExp(`cache-worker exited on its own \\(code 1\\) after \\d+ s; restarting in ${delay} s`),
            `restart in ${delay} s`,
          );
        }
        await new Promise<void>((resolve) => holder.close(() => resolve()));
        squatter = undefined;
        await stack.waitForHealthy("cache-worker");

        // A crash of a running app: the scan-worker, killed outright, comes back; the API never stops answering.
        const [, firstPid] = stack.text().match(/\[start\] scan-worker started \(pid (\d+)\)/) ?? [];
        process.kill(Number(firstPid), "SIGKILL");
        await stack.waitForLine(
          /scan-worker exited on its own \(signal SIGKILL\) after \d+ s; restarting in 1 s/,
          "the scan-worker's restart",
        );
        const [, secondPid] = await stack.waitForLine(
          new RegExp(`\\[start\\] scan-worker started \\(pid (?!${firstPid}\\))(\\d+)\\)`),
          "a new scan-worker",
        );
        expect(Number(secondPid)).not.toBe(Number(firstPid));
        await stack.waitForHealthy("scan-worker");
        expect(await stack.healthy("cache-worker")).toBe(true);
      } finally {
        clearInterval(probing);
      }
      expect(apiProbes).toBeGreaterThan(10);
      expect(apiFailures).toBe(0);

      // Ctrl-C in a terminal running `pnpm start`: SIGINT to the foreground process group, and pnpm forwards its own.
      process.kill(-stack.pid, "SIGINT");
      process.kill(stack.pid, "SIGINT");
      expect(await stack.exitCode()).toBe(0);
      expectOneGracefulShutdownEach(stack);
      expect(stack.text()).not.toContain("received again");
    },
  );

  it(
    "syncs an empty advisory database from the feed at first start and says so; an unreachable ecosystem only warns",
    { timeout: 300_000 },
    async () => {
      const feed = await new FeedServer().start();
      feed.put(
        npmAdvisory("GHSA-strt-0001", "start-left", "1.0.1", "2024-01-01T00:00:00Z"),
        npmAdvisory("GHSA-strt-0002", "start-right", "2.0.1", "2024-01-02T00:00:00Z"),
      );
      // PyPI stands for a feed out of reach (offline, a proxy refusing): every attempt fails.
      feed.faults.set("/PyPI/all.zip", "500");
      try {
        // Pretty logs, as a person running `pnpm start` in a terminal sees them (JSON logs are written in 4 KiB blocks).
        stack = await LocalStack.start({ ADVISORY_SYNC_URL: feed.url, ADVISORY_SOURCES: "npm,PyPI", LOG_FORMAT: "pretty", NO_COLOR: "1" });
        for (const app of APPS) await stack.waitForHealthy(app);
        await stack.waitForLine(/the advisory database is empty: syncing it from the feed now/, "the first-start sync notice");
        await stack.waitForLine(/advisory sync failed; the stored advisories are unchanged/, "the PyPI failure, as a warning");
        const db = new pg.Client({ connectionString: stack.env.DATABASE_URL });
        await db.connect();
        try {
          const outcomes = async () =>
            (
              await db.query<{ ecosystem: string; last_outcome: string }>(
                "SELECT ecosystem, last_outcome FROM advisory_sync_state ORDER BY 1",
              )
            ).rows;
          await waitFor(async () => (await outcomes()).length === 2, { ...WAIT, what: "both ecosystems' sync outcome" });
          expect((await outcomes()).sort((a, b) => a.ecosystem.localeCompare(b.ecosystem))).toEqual([
            { ecosystem: "npm", last_outcome: "ok" },
            { ecosystem: "PyPI", last_outcome: "failed" },
          ]);
          expect((await db.query("SELECT count(*)::int AS n FROM advisories")).rows[0]).toEqual({ n: 2 });
        } finally {
          await db.end();
        }
        expect(await stack.healthy("cache-worker")).toBe(true);
        expect(stack.text()).not.toContain("exited on its own");
      } finally {
        await feed.stop();
      }
    },
  );
});
