import { TestPostgresServer, TestRedisServer, freePort, uniqueId } from "@secapi/testing";
import { Stack } from "./stack.js";

/** A Stack on a Postgres and a Redis of its own, which a test may stop and start (outages). */
export interface PrivateServersStack {
  postgres: TestPostgresServer;
  redis: TestRedisServer;
  stack: Stack;
  /** The scan-worker's `/health`, `/live` and `/metrics`. */
  scanWorkerUrl: string;
  /** Stops the apps, then both servers. */
  close(): Promise<void>;
}

/** Starts private Postgres and Redis servers, migrates, and runs an API and a scan-worker against them. */
export async function startPrivateServersStack(env: Record<string, string> = {}): Promise<PrivateServersStack> {
  const postgres = await TestPostgresServer.create();
  const redis = await TestRedisServer.start();
  const stack = await Stack.create({
    DATABASE_URL: postgres.url(uniqueId("secapi")),
    REDIS_URL: redis.url(0),
    REDIS_CACHE_URL: redis.url(1),
    // Short, so that requests during an outage fail fast instead of queueing for a connection.
    DB_CONNECTION_TIMEOUT_MS: "2000",
    ...env,
  });
  await stack.cli("migrate");
  await stack.startApi();
  const scanWorkerPort = String(await freePort());
  await stack.startScanWorker({ SCAN_WORKER_PORT: scanWorkerPort });
  return {
    postgres,
    redis,
    stack,
    scanWorkerUrl: `http://127.0.0.1:${scanWorkerPort}`,
    close: async () => {
      await stack.close();
      await redis.stop();
      await postgres.destroy();
    },
  };
}
