import type { Logger } from "pino";

/**
 * Runs `shutdown` once on SIGTERM or SIGINT, then exits: 0 if it finished within `timeoutMs`, 1 if it had to
 * be cut short. A second signal exits at once.
 */
export function onShutdownSignal(logger: Logger, timeoutMs: number, shutdown: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, timeoutMs }, "shutting down: draining in-flight work");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out; exiting with work in flight");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    shutdown().then(
      () => {
        logger.info({}, "shutdown complete");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handle);
  process.on("SIGINT", handle);
}
