import type { Server } from "node:http";
import type { Logger } from "pino";
import { onShutdownSignal } from "./graceful-shutdown.js";
import { type HealthProbe, healthResponse } from "./health-probe.js";
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
 * The end of a worker's start: serves `/health` and `/metrics`, logs that it started, and drains it on a shutdown
 * signal. The health server closes after the drain, so a probe still sees the process while it finishes its work.
 *
 * @example
 * await serveWorkerProcess({ service: "scan-worker", port, logger, health, metrics: metrics.metricsHandler(token),
 *   shutdownTimeoutMs, drain: () => worker.close() });
 */
export async function serveWorkerProcess<K extends string>(options: WorkerProcessOptions<K>): Promise<Server> {
  const { logger, health, healthDetails } = options;
  const server = await startHealthServer(options.port, {
    "/health": jsonRoute(async () => healthResponse(await health.check(), healthDetails?.())),
    "/metrics": options.metrics,
  });
  logger.info({ port: options.port, ...options.startDetails }, `${options.service} started`);
  onShutdownSignal(logger, options.shutdownTimeoutMs, async () => {
    await options.drain();
    await new Promise((resolve) => server.close(resolve));
  });
  return server;
}
