import type { Db } from "@secapi/db";
import type { Redis } from "ioredis";
import { sql } from "kysely";

export type DependencyStatus = "connected" | "disconnected";

export interface HealthReport {
  database: DependencyStatus;
  redis_queue: DependencyStatus;
  redis_cache: DependencyStatus;
}

/** Pings each dependency with a short timeout: a health check must answer even when they hang. */
export class HealthProbe {
  constructor(
    private readonly deps: { db: Db; queueRedis: Redis; cacheRedis: Redis },
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

  private pingRedis(redis: Redis): Promise<DependencyStatus> {
    // A client that is not ready would queue the PING until it reconnects; report it down instead.
    if (redis.status !== "ready") return Promise.resolve("disconnected");
    return this.ping(() => redis.ping());
  }

  async check(): Promise<HealthReport> {
    const [database, redis_queue, redis_cache] = await Promise.all([
      this.ping(() => sql`SELECT 1`.execute(this.deps.db)),
      this.pingRedis(this.deps.queueRedis),
      this.pingRedis(this.deps.cacheRedis),
    ]);
    return { database, redis_queue, redis_cache };
  }
}
