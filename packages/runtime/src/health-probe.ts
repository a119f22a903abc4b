import { type Db, pingDatabase } from "@secapi/db";
import { TimeoutError, withTimeout } from "@secapi/toolkit";
import type { Cluster, Redis } from "ioredis";

export type DependencyStatus = "connected" | "disconnected";

/** Each dependency's status, the database and the named Redis clients. */
export type HealthReport<K extends string> = Record<K | "database", DependencyStatus>;

/** How long `/health` waits for each dependency by default: well inside Kubernetes' 1 s probe timeout. */
const DEFAULT_TIMEOUT_MS = 500;

/**
 * One dependency's check, at most one in flight: concurrent health checks share it, and a check that is
 * still unanswered past the caller's timeout means the dependency hangs. Asking again then would only
 * queue another PING behind the first, or hold another pool connection, so the answer is "disconnected"
 * at once until the hung check settles.
 */
class DependencyCheck {
  private pending: { startedAt: number; answered: Promise<boolean> } | undefined;

  constructor(private readonly attempt: () => Promise<unknown>) {}

  status(timeoutMs: number): Promise<DependencyStatus> {
    const now = performance.now();
    if (!this.pending) {
      const answered = this.attempt().then(
        () => true,
        () => false,
      );
      const pending = { startedAt: now, answered };
      this.pending = pending;
      void answered.finally(() => {
        if (this.pending === pending) this.pending = undefined;
      });
    }
    const left = this.pending.startedAt + timeoutMs - now;
    if (left <= 0) return Promise.resolve("disconnected");
    return answeredWithin(this.pending.answered, left).then((answered) => (answered ? "connected" : "disconnected"));
  }
}

/** Whether `answered` resolves true within `ms` (withTimeout's deadline: a reply that arrived during a busy stretch wins). */
function answeredWithin(answered: Promise<boolean>, ms: number): Promise<boolean> {
  return withTimeout(answered, ms, () => new TimeoutError("health check", ms)).catch(() => false);
}

/**
 * Pings Postgres and the given Redis clients in parallel, each with a short timeout: a health check must
 * answer even when a dependency hangs. Used by the API and both workers.
 *
 * @example
 * const health = new HealthProbe({ db, redis: { redis_queue: queueRedis, redis_cache: cacheRedis } });
 * await health.check();                                         // every dependency, DEFAULT_TIMEOUT_MS each
 * await health.check({ only: ["redis_queue"], timeoutMs: 100 }); // Postgres and the queue Redis only
 */
export class HealthProbe<K extends string> {
  private readonly database: DependencyCheck;
  private readonly redis: Record<K, DependencyCheck>;

  constructor(
    deps: { db: Db; redis: Record<K, Redis | Cluster> },
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {
    this.database = new DependencyCheck(() => pingDatabase(deps.db));
    const names = Object.keys(deps.redis) as K[];
    this.redis = Object.fromEntries(names.map((name) => [name, new DependencyCheck(() => pingRedis(deps.redis[name]))])) as Record<
      K,
      DependencyCheck
    >;
  }

  /** The database and the Redis clients (all, or `only` those named), each answering within `timeoutMs`. */
  async check<S extends K = K>(options: { only?: readonly S[]; timeoutMs?: number } = {}): Promise<HealthReport<S>> {
    const names = options.only ?? (Object.keys(this.redis) as S[]);
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const [database, ...redis] = await Promise.all([
      this.database.status(timeoutMs),
      ...names.map((name) => this.redis[name].status(timeoutMs)),
    ]);
    return { database, ...Object.fromEntries(names.map((name, i) => [name, redis[i]])) } as HealthReport<S>;
  }
}

function pingRedis(redis: Redis | Cluster): Promise<unknown> {
  // A client that is not ready would queue the PING until it reconnects; report it down instead.
  if (redis.status !== "ready") return Promise.reject(new Error(`Redis connection is ${redis.status}`));
  return redis.ping();
}

/**
 * The `/health` answer of every service: 200 while the process can still serve something (`canServe`, each
 * service's own rule), 503 when it cannot; `status` is "degraded" when any dependency is down. Orchestrators
 * keep a 200 process in service; a 503 one has nothing to offer until a dependency returns, yet a restart would
 * not bring it back sooner, so liveness belongs on `/live` (livenessResponse), not here.
 *
 * @example
 * healthResponse(await probe.check(), anyDependencyAnswers(report)); // the api
 * healthResponse(await probe.check(), worker.isRunning());            // a worker: it waits for its dependencies
 */
export function healthResponse<K extends string>(report: HealthReport<K>, canServe: boolean, extra: Record<string, unknown> = {}) {
  const allUp = Object.values(report).every((s) => s === "connected");
  return { status: canServe ? 200 : 503, body: { status: allUp ? "ok" : "degraded", ...report, ...extra } };
}

/**
 * The api's rule: it serves something while any dependency answers. Without Postgres it still answers cached reads
 * and cached submissions from the cache Redis, and its limiter and relay keep working on the queue Redis; only
 * with none of them is every request an error.
 */
export function anyDependencyAnswers<K extends string>(report: HealthReport<K>): boolean {
  return Object.values(report).some((s) => s === "connected");
}

/**
 * The `/live` answer (Kubernetes liveness): 200 whenever the event loop gets to answer, without asking any
 * dependency, so a Postgres or Redis outage never restarts a process (a restart does not bring them back, and a
 * restarted pod waits in its migrate step instead of serving from the cache). 503 only when the process knows
 * it cannot recover by itself (`alive` false: a worker whose job loop has stopped). A wedged event loop never
 * answers, and the probe's timeout fails it.
 */
export function livenessResponse(alive = true) {
  return { status: alive ? 200 : 503, body: { status: alive ? "alive" : "stopped" } };
}
