import type { Server } from "node:http";
import type { Logger } from "pino";
import { onShutdownSignal } from "./graceful-shutdown.js";
import { type HealthProbe, healthResponse, livenessResponse } from "./health-probe.js";
import { type RouteHandler, jsonRoute, startHealthServer } from "./health-server.js";

export interface WorkerProcessOptions<K extends string> {
  /** The service's name, as the start line logs it. */
  service: string;
  /** Where `/health` and `/metrics` listen. */
  port: number;
  logger: Logger;
  /** The dependencies `/health` reports. */
  health: HealthProbe<K>;
  /** What `/health` says besides the dependencies (whether the worker is running, say). */
  healthDetails?: () => Record<string, unknown>;
  /**
   * Whether the process still does its work (its BullMQ workers' loops run). A worker waiting for Postgres or Redis
   * is alive: its loops retry by themselves. False only when a restart would help; not asked while draining.
   */
  alive?: () => boolean;
  /** The `/metrics` route: the process's metrics handler. */
  metrics: RouteHandler;
  /** How long `drain` may take before the process exits with work in flight. */
  shutdownTimeoutMs: number;
  /** On SIGTERM or SIGINT: stops taking work, lets what is in flight finish, and closes the clients. */
  drain: () => Promise<void>;
  /** More to log with the start line. */
  startDetails?: Record<string, unknown>;
}

/**
 * The end of a worker's start: serves `/health`, `/live` and `/metrics`, logs that it started, and drains it on a
 * shutdown signal. The health server closes after the drain, so a probe still sees the process while it finishes
 * its work. `/health` and `/live` answer 200 while the worker is alive, whatever its dependencies: restarting a
 * worker that waits for Postgres or Redis does not bring them back sooner.
 *
 * @example
 * await serveWorkerProcess({ service: "scan-worker", port, logger, health, metrics: metrics.metricsHandler(token),
 *   shutdownTimeoutMs, drain: () => worker.close() });
 */
export async function serveWorkerProcess<K extends string>(options: WorkerProcessOptions<K>): Promise<Server> {
  const { logger, health, healthDetails } = options;
  let draining = false;
  const alive = () => draining || (options.alive?.() ?? true);
  const server = await startHealthServer(options.port, {
    "/health": jsonRoute(async () => healthResponse(await health.check(), alive(), healthDetails?.())),
    "/live": jsonRoute(() => Promise.resolve(livenessResponse(alive()))),
    "/metrics": options.metrics,
  });
  logger.info({ port: options.port, ...options.startDetails }, `${options.service} started`);
  onShutdownSignal(logger, options.shutdownTimeoutMs, async () => {
    draining = true;
    await options.drain();
    await new Promise((resolve) => server.close(resolve));
  });
  return server;
}
