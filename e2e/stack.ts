import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import {
  AppProcess,
  REPO_ROOT,
  TEST_REDIS_URL,
  type TestDatabase,
  createTestDatabase,
  deleteKeysByPrefix,
  freePort,
  uniqueId,
} from "@secapi/testing";
import { Redis } from "ioredis";

const run = promisify(execFile);

/** A database, a queue prefix and ports of the test's own, and the apps started as processes against them. */
export class Stack {
  readonly processes: AppProcess[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly env: Record<string, string>,
  ) {}

  static async create(env: Record<string, string> = {}): Promise<Stack> {
    const database = await createTestDatabase();
    const redisUrl = env.REDIS_URL ?? TEST_REDIS_URL;
    return new Stack(database, {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_CACHE_URL: redisUrl,
      QUEUE_PREFIX: uniqueId("e2e"),
      PORT: String(await freePort()),
      SCAN_WORKER_PORT: String(await freePort()),
      SCAN_INPUT_KEY: randomBytes(32).toString("base64"),
      SHUTDOWN_TIMEOUT_MS: "10000",
      // Generous Redis timeouts: on a loaded machine the production ones (50 ms, 250 ms) can expire while Redis
      // is merely slow to be scheduled, turning an expected HIT into a BYPASS (a Postgres read) or an exact
      // shared limit into per-process counting. No e2e test is about those timeouts (the integration tests are).
      CACHE_REDIS_TIMEOUT_MS: "1000",
      RATE_LIMIT_REDIS_TIMEOUT_MS: "5000",
      ...env,
    });
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /** Starts the API (on the stack's port, or another) and waits until it answers. */
  async startApi(env: Record<string, string> = {}): Promise<AppProcess> {
    const port = env.PORT ?? this.env.PORT;
    const api = AppProcess.start("api", { ...this.env, ...env });
    this.processes.push(api);
    await api.waitForHttp(`http://127.0.0.1:${port}/health`);
    return api;
  }

  /** Starts a cache-worker and waits for its /health; returns it and its port. */
  async startCacheWorker(env: Record<string, string> = {}): Promise<{ worker: AppProcess; port: string }> {
    const port = String(await freePort());
    const worker = AppProcess.start("cache-worker", { ...this.env, CACHE_WORKER_PORT: port, ...env });
    this.processes.push(worker);
    await worker.waitForHttp(`http://127.0.0.1:${port}/health`);
    return { worker, port };
  }

  /** Starts a scan-worker (on its own health port) and waits for its /health. */
  async startScanWorker(env: Record<string, string> = {}): Promise<AppProcess> {
    const port = env.SCAN_WORKER_PORT ?? String(await freePort());
    const worker = AppProcess.start("scan-worker", { ...this.env, ...env, SCAN_WORKER_PORT: port });
    this.processes.push(worker);
    await worker.waitForHttp(`http://127.0.0.1:${port}/health`);
    return worker;
  }

  /** `pnpm secapi …` as a user runs it; returns stdout. */
  async cli(...args: string[]): Promise<string> {
    const { stdout } = await run(process.execPath, [`${REPO_ROOT}apps/cli/dist/main.js`, ...args], {
      env: { ...process.env, ...this.env, LOG_LEVEL: "warn" },
    });
    return stdout;
  }

  /** A user of `tier` made by `secapi users create`, as its `--json` prints it. */
  async createUser(tier = "free", ...flags: string[]): Promise<{ id: string; api_key: string }> {
    return JSON.parse(await this.cli("users", "create", "--email", `${uniqueId("u")}@example.com`, "--tier", tier, ...flags, "--json"));
  }

  /** A business-tier admin, for the admin routes (advisory imports, user changes). */
  createAdmin(): Promise<{ id: string; api_key: string }> {
    return this.createUser("business", "--admin");
  }

  async request(
    method: string,
    path: string,
    key: string,
    body?: unknown,
    baseUrl = this.apiUrl,
  ): Promise<{ status: number; headers: Headers; body: any }> {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
  }

  /** Polls a scan until it leaves queued/running, honouring Retry-After as a client would (but faster). */
  async pollUntilDone(location: string, key: string, timeoutMs = 120_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const response = await this.request("GET", `${location}?wait=5`, key);
      if (response.body.status === "completed" || response.body.status === "failed") return response.body;
    }
    throw new Error(`scan at ${location} did not finish in ${timeoutMs} ms\n${this.logs()}`);
  }

  logs(): string {
    return this.processes.map((p) => `--- ${p.name} ---\n${p.logs()}`).join("\n");
  }

  /** Stops every process (SIGTERM), removes the queue keys and drops the database. */
  async close(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
    const redis = new Redis(this.env.REDIS_URL ?? TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
    await deleteKeysByPrefix(redis, `${this.env.QUEUE_PREFIX}:`).catch(() => undefined);
    redis.disconnect();
    await this.database.drop();
  }
}

/** A random AWS access key id in the real format (AKIA + 16 of A-Z2-7). */
export function awsAccessKeyId(): string {
  return `AKIA${Array.from(randomBytes(16), (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[b % 32]).join("")}`;
}

/** Everything Postgres holds for this database, as text. */
export async function dumpDatabase(url: string): Promise<string> {
  const { stdout } = await run("pg_dump", ["--data-only", "--no-owner", url], { maxBuffer: 256 * 1024 * 1024 });
  return stdout;
}
