import type { ServerOptions } from "node:http";
import type { AddressInfo } from "node:net";
import { type Config, loadConfig } from "@secapi/config";
import type { Cache, HotKeyTracker } from "@secapi/cache";
import { type AdvisoryRevisions, CacheKeys, createUserWithKey, loadResultEntry } from "@secapi/core";
import {
  type Db,
  type InputKey,
  PgListener,
  type ResultBasis,
  type UserRole,
  type UserTier,
  createDb,
  createPool,
  upsertScanResult,
} from "@secapi/db";
import { OutboxRelay, type QueueName, closeQueues, createQueues } from "@secapi/events";
import { type SecapiMetrics, createMetrics } from "@secapi/metrics";
import { createLogger } from "@secapi/runtime";
import { TEST_REDIS_URL, type TestDatabase, createTestDatabase, deleteKeysByPrefix, uniqueId } from "@secapi/testing";
import type { Queue } from "bullmq";
import { type Cluster, Redis } from "ioredis";
import { sql } from "kysely";
import { composeApiContext } from "../src/compose-context.js";
import { serveExpressApp } from "../src/http/express-host.js";
import { READY_TIMEOUT_MS } from "../src/routes/health.routes.js";
import { createServer } from "../src/server.js";

export interface TestResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A user of the test API and its key. */
export interface TestUser {
  id: string;
  key: string;
}

export interface RequestOptions {
  key?: string;
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface CompleteRunOptions {
  /** When the result was computed (default now). */
  computedAt?: Date;
  /** The result's tags (`pkg:…` of the packages it covers); default none. */
  tags?: string[];
  /** The advisory revision it reflects and when it expires; default revision 0, no expiry. */
  basis?: ResultBasis;
  /** false: leave the result in Postgres only (a cold result). */
  cache?: boolean;
}

/**
 * How long the API waits for its dependencies. The defaults are generous: a test that expects a HIT, or
 * `/ready` 200, must not see a BYPASS or a 503 because a loaded machine made Redis or Postgres answer later
 * than the production timeouts. Tests about those timeouts (a stalled dependency) pass
 * `TestApi.PRODUCTION_TIMEOUTS`.
 */
export interface TestApiTimeouts {
  /** The cache's Redis timeout (default 1 s). */
  cacheTimeoutMs?: number;
  /** How long `/health` waits for each dependency (default 2 s). */
  healthTimeoutMs?: number;
  /** How long `/ready` waits for Postgres and the queue Redis (default 2 s). */
  readyTimeoutMs?: number;
  /** The limiter's Redis timeout (default 5 s: a timed-out check would count in process instead). */
  limiterTimeoutMs?: number;
  /** How long a `?wait` poll sleeps at most before it re-reads the scan anyway (default, as in production, 1 s). */
  waitRecheckMs?: number;
}

/** The API in-process on a free port, against a database of its own and the shared Redis under a unique prefix. */
export class TestApi {
  private constructor(
    readonly url: string,
    readonly config: Config,
    readonly db: Db,
    readonly queues: Record<QueueName, Queue>,
    readonly cache: Cache,
    /** The API's read counter: it adds its counts under the cache prefix once a second. */
    readonly hotKeys: HotKeyTracker,
    readonly metrics: SecapiMetrics,
    /** Prefix of every cache key this API wrote: tests use it to clean up and inspect. */
    readonly cachePrefix: string,
    /** How many times the API's pool handed out a Postgres connection so far. */
    readonly postgresAcquisitions: () => number,
    /** The newest advisory revision the API knows of. */
    readonly advisoryRevisions: AdvisoryRevisions,
    /** How many `?wait` polls are waiting for a run's notification right now. */
    readonly waitingPolls: () => number,
    private readonly teardown: () => Promise<void>,
  ) {}

  /**
   * Limits high enough that tests about other things never meet them; tests about limits set their own
   * TIER_LIMITS / ANON_RATE_LIMIT_PER_MINUTE.
   */
  static readonly GENEROUS_LIMITS = JSON.stringify(
    Object.fromEntries(
      ["free", "starter", "pro", "business"].map((tier) => [
        tier,
        { requests_per_minute: 1_000_000, scans_per_hour: 1_000_000, scans_per_month: 10_000_000 },
      ]),
    ),
  );

  /** The timeouts the API process runs with (the configuration's defaults and the components' own). */
  static readonly PRODUCTION_TIMEOUTS: Omit<Required<TestApiTimeouts>, "waitRecheckMs"> = {
    cacheTimeoutMs: loadConfig({}).cacheRedisTimeoutMs,
    healthTimeoutMs: 500,
    readyTimeoutMs: READY_TIMEOUT_MS,
    limiterTimeoutMs: loadConfig({}).rateLimitRedisTimeoutMs,
  };

  /**
   * `cacheRedis`: the cache's own client instead of one to REDIS_CACHE_URL (a Cluster's); disconnected by `close()`.
   * `serverOptions`: node's HTTP server options (its request timeouts).
   */
  static async start(
    env: Record<string, string> = {},
    timeouts: TestApiTimeouts = {},
    connections: { cacheRedis?: Redis | Cluster } = {},
    serverOptions: ServerOptions = {},
  ): Promise<TestApi> {
    const database: TestDatabase = await createTestDatabase();
    const redisUrl = env.REDIS_URL ?? TEST_REDIS_URL;
    const config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_CACHE_URL: env.REDIS_CACHE_URL ?? redisUrl,
      QUEUE_PREFIX: uniqueId("q"),
      LOG_LEVEL: "silent",
      TIER_LIMITS: TestApi.GENEROUS_LIMITS,
      ANON_RATE_LIMIT_PER_MINUTE: "1000000",
      ...env,
    });
    const logger = createLogger({ service: "api-test", level: (process.env.TEST_LOG_LEVEL as "silent") ?? "silent" });
    const pool = createPool({ connectionString: database.url, max: 10 });
    let acquisitions = 0;
    pool.on("acquire", () => acquisitions++);
    const db = createDb(pool);
    const redisOptions = { enableOfflineQueue: false, maxRetriesPerRequest: 1, retryStrategy: () => 100 };
    const queueRedis = new Redis(config.redisUrl, redisOptions);
    const cacheRedis = connections.cacheRedis ?? new Redis(config.redisCacheUrl, redisOptions);
    queueRedis.on("error", () => undefined);
    cacheRedis.on("error", () => undefined);
    const queues = createQueues({ connection: queueRedis, prefix: config.queuePrefix });
    const relay = new OutboxRelay({ db, queues, publishTimeoutMs: 500 });
    const listener = new PgListener({ connectionString: database.url, logger });
    const metrics = createMetrics({ service: "api-test" });
    const limiterRedis = new Redis(config.redisUrl, { ...redisOptions, autoResendUnfulfilledCommands: false });
    limiterRedis.on("error", () => undefined);
    // Every key of this API instance lives under its own prefix, so parallel test files never meet.
    const cachePrefix = uniqueId("c");
    const ctx = composeApiContext(
      { config, logger, db, queueRedis, cacheRedis, limiterRedis, queues, relay, listener, metrics },
      { prefix: cachePrefix, cacheTimeoutMs: 1000, healthTimeoutMs: 2000, readyTimeoutMs: 2000, limiterTimeoutMs: 5000, ...timeouts },
    );
    const { cache, limiter, scanWaiter, advisoryRevisions, bodyThreads } = ctx;
    await Promise.all([listener.start(), cache.start()]);
    await advisoryRevisions.start();
    relay.start();
    const app = createServer(ctx);
    const server = serveExpressApp(app, serverOptions).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const { port } = server.address() as AddressInfo;

    return new TestApi(
      `http://127.0.0.1:${port}`,
      config,
      db,
      queues,
      cache,
      ctx.hotKeys,
      metrics,
      cachePrefix,
      () => acquisitions,
      advisoryRevisions,
      () => scanWaiter.waiting,
      async () => {
        scanWaiter.close();
        advisoryRevisions.close();
        await listener.close();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
        await bodyThreads.close();
        await relay.stop();
        await Promise.all(Object.values(queues).map((q) => q.obliterate({ force: true }).catch(() => undefined)));
        await closeQueues(queues);
        limiter.close();
        await cache.flush().catch(() => undefined);
        await cache.close();
        await deleteKeysByPrefix(queueRedis, `${cachePrefix}:`).catch(() => undefined);
        queueRedis.disconnect();
        cacheRedis.disconnect();
        limiterRedis.disconnect();
        await db.destroy();
        await database.drop();
      },
    );
  }

  /** The API (as `start` gives it) with a business-tier admin and a user of `tier`: where most route tests begin. */
  static async startWithUsers(tier: UserTier = "free"): Promise<{ api: TestApi; admin: TestUser; user: TestUser }> {
    const api = await TestApi.start();
    return { api, admin: await api.createUser("business", "admin"), user: await api.createUser(tier) };
  }

  async createUser(tier: UserTier = "free", role: UserRole = "user"): Promise<TestUser> {
    const { user, apiKey } = await createUserWithKey(this.db, { email: `${uniqueId("u")}@example.com`, tier, role });
    return { id: user.id, key: apiKey };
  }

  async request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.key) headers.Authorization = `Bearer ${options.key}`;
    let body: string | Buffer | undefined = options.rawBody;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers["Content-Type"] ??= "application/json";
    }
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  }

  /**
   * What the scan-worker and cache-worker do for a finished run, minus the queue: store the result (with the
   * tags of the packages it covers and the advisory revision it reflects), mark the run's scans completed, and
   * put the result in the cache. Resolves the run's input key.
   */
  async completeRun(scanId: string, result: unknown, options: CompleteRunOptions = {}): Promise<InputKey> {
    const scan = await this.db.selectFrom("scans").selectAll().where("id", "=", scanId).executeTakeFirstOrThrow();
    const key = { scanType: scan.scan_type, ownerId: scan.owner_scoped ? scan.user_id : null, inputHash: scan.input_hash };
    const resultId = await upsertScanResult(this.db, key, result, options.tags ?? [], options.basis);
    if (options.computedAt) await sql`UPDATE scan_results SET updated_at = ${options.computedAt} WHERE id = ${resultId}`.execute(this.db);
    await sql`UPDATE scans SET status = 'completed', result_id = ${resultId}, completed_at = now() WHERE job_id = ${scan.job_id}`.execute(
      this.db,
    );
    const loaded = await loadResultEntry(this.db, key);
    if (!loaded) throw new Error(`no current result stored for scan ${scanId}`);
    if (options.cache !== false)
      await this.cache.set(new CacheKeys(this.cachePrefix).result(key), loaded.entry, { ttl: 604800, tags: loaded.tags });
    return key;
  }

  /** Rows in a table: tests assert that bad input stored nothing. */
  async count(table: "scans" | "outbox" | "scan_inputs" | "api_usage" | "idempotency_keys" | "users"): Promise<number> {
    const row = await this.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  close(): Promise<void> {
    return this.teardown();
  }
}

/** A secrets input whose content differs with `n`. */
export function secretsInput(n: number | string = 0) {
  return { files: [{ path: "config/.env", content: `# build ${n}\nAPI_URL=https://example.com\n` }] };
}
