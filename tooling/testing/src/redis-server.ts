import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";

/** A port nobody listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A redis-server of the test's own on its own port, for outages: `stop()` kills it, `start()` brings it
 * back on the same port (empty: it keeps nothing on disk, like a restarted cache would); `pause()` hangs it
 * (SIGSTOP: its connections stay open and nothing is answered, for as long as the test wants, however
 * loaded the machine is) and `resume()` lets it answer again.
 */
export class TestRedisServer {
  private process: ChildProcess | undefined;
  private paused = false;

  private constructor(
    readonly port: number,
    private readonly extraArgs: string[],
  ) {}

  static async start(extraArgs: string[] = []): Promise<TestRedisServer> {
    const server = new TestRedisServer(await freePort(), extraArgs);
    await server.start();
    return server;
  }

  url(db = 0): string {
    return `redis://127.0.0.1:${this.port}/${db}`;
  }

  async start(): Promise<void> {
    if (this.process) return;
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...this.extraArgs],
      { stdio: "ignore" },
    );
    this.process = child;
    child.once("exit", () => {
      if (this.process === child) this.process = undefined;
    });
    await this.waitUntil(true);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    this.paused = false;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /**
   * Hangs the server until `resume()`: it keeps its connections (and the kernel still accepts new ones) but
   * answers nothing. Unlike CLIENT PAUSE or DEBUG SLEEP the stall has no length of its own, so a test that
   * asserts "answered while the server hung" does not depend on how fast the machine runs.
   */
  pause(): void {
    const child = this.process;
    if (!child?.pid) throw new Error(`redis-server on ${this.port} is not running`);
    if (this.paused) return;
    process.kill(child.pid, "SIGSTOP");
    this.paused = true;
  }

  /** Lets a paused server answer again; resolves once it answers a PING. */
  async resume(): Promise<void> {
    const child = this.process;
    if (!this.paused || !child?.pid) return;
    process.kill(child.pid, "SIGCONT");
    this.paused = false;
    await this.waitUntil(true);
  }

  /**
   * Hangs the server (`pause()`) until `end()`, or at the latest after `maxMs`, so that a test whose calls
   * wait for Redis fails (they answer only after the stall) rather than hangs. `isOver()` says whether it
   * has ended: a call that answered while it had not did not wait for Redis, however slow the machine.
   */
  stall(maxMs: number): RedisStall {
    this.pause();
    let over = false;
    let ended: Promise<void> | undefined;
    const end = (): Promise<void> => {
      if (!ended) {
        over = true;
        clearTimeout(guard);
        ended = this.resume();
      }
      return ended;
    };
    const guard = setTimeout(() => void end(), maxMs);
    return { isOver: () => over, end };
  }

  /** Whether the server is paused now. */
  get isPaused(): boolean {
    return this.paused;
  }

  private async waitUntil(up: boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const client = new Redis(this.url(), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      client.on("error", () => {});
      const answered = await client
        .connect()
        .then(() => client.ping())
        .then(
          () => true,
          () => false,
        );
      client.disconnect();
      if (answered === up) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server on ${this.port} did not come ${up ? "up" : "down"}`);
  }
}

/** A stall begun by `TestRedisServer.stall()`. */
export interface RedisStall {
  /** Whether the server answers again (or was resumed, and is about to). */
  isOver(): boolean;
  /** Ends the stall now (if the guard has not already); resolves once the server answers. */
  end(): Promise<void>;
}

/** Deletes every key under a prefix with SCAN (never KEYS), for test cleanup. */
export function deleteKeysByPrefix(redis: Redis, prefix: string): Promise<number> {
  return deleteKeysMatching(redis, `${prefix}*`);
}

/** Deletes every key matching a glob pattern with SCAN (never KEYS), for test and bench cleanup. */
export async function deleteKeysMatching(redis: Redis, pattern: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", pattern, "COUNT", 500);
    cursor = next;
    if (keys.length) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}
