import type { Db } from "@secapi/db";
import type { Cluster, Redis } from "ioredis";
import { sql } from "kysely";

export type DependencyStatus = "connected" | "disconnected";

/** Each dependency's status, the database and the named Redis clients. */
export type HealthReport<K extends string> = Record<K | "database", DependencyStatus>;

/**
 * Pings Postgres and the given Redis clients, each with a short timeout: a health check must answer even
 * when a dependency hangs. Used by the API and both workers.
 */
export class HealthProbe<K extends string> {
  constructor(
    private readonly deps: { db: Db; redis: Record<K, Redis | Cluster> },
    private readonly timeoutMs = 1000,
  ) {}

  private async ping(check: () => Promise<unknown>): Promise<DependencyStatus> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<DependencyStatus>((resolve) => {
      timer = setTimeout(() => resolve("disconnected"), this.timeoutMs);
    });
    const attempt = check().then(
      (): DependencyStatus => "connected",
      (): DependencyStatus => "disconnected",
    );
    return Promise.race([attempt, timeout]).finally(() => clearTimeout(timer));
  }

  private pingRedis(redis: Redis | Cluster): Promise<DependencyStatus> {
    // A client that is not ready would queue the PING until it reconnects; report it down instead.
    if (redis.status !== "ready") return Promise.resolve("disconnected");
    return this.ping(() => redis.ping());
  }

  async check(): Promise<HealthReport<K>> {
    const names = Object.keys(this.deps.redis) as K[];
    const [database, ...redis] = await Promise.all([
      this.ping(() => sql`SELECT 1`.execute(this.deps.db)),
      ...names.map((name) => this.pingRedis(this.deps.redis[name])),
    ]);
    return { database, ...Object.fromEntries(names.map((name, i) => [name, redis[i]])) } as HealthReport<K>;
  }
}

/**
 * The `/health` answer of every service: 200 while Postgres answers (without it nothing can be served),
 * 503 otherwise; `status` is "degraded" when any dependency is down.
 */
export function healthResponse<K extends string>(report: HealthReport<K>, extra: Record<string, unknown> = {}) {
  const allUp = Object.values(report).every((s) => s === "connected");
  return { status: report.database === "connected" ? 200 : 503, body: { status: allUp ? "ok" : "degraded", ...report, ...extra } };
}
