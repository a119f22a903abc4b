import type { EventEmitter } from "node:events";

export interface StopSignalHandlers {
  /** The first SIGINT or SIGTERM: stop gracefully. */
  stop(signal: NodeJS.Signals): void;
  /** A later one: stop now. */
  force(signal: NodeJS.Signals): void;
}

export interface StopSignalOptions {
  /** Where the signals come from (`process`; tests pass an emitter). */
  source?: EventEmitter;
  /** A repeat within this long after the first signal is the same request. */
  sameRequestMs?: number;
  now?: () => number;
}

/**
 * Routes SIGINT and SIGTERM: the first asks for a graceful stop, one that comes later forces it. A repeat within
 * `sameRequestMs` counts as the same request: a terminal's Ctrl-C reaches `pnpm start` both directly and through
 * pnpm, which forwards the signal it received itself.
 */
export function onStopSignals(handlers: StopSignalHandlers, options: StopSignalOptions = {}): void {
  const { source = process, sameRequestMs = 1000, now = Date.now } = options;
  let firstAt: number | undefined;
  const handle = (signal: NodeJS.Signals) => {
    if (firstAt === undefined) {
      firstAt = now();
      handlers.stop(signal);
    } else if (now() - firstAt >= sameRequestMs) {
      handlers.force(signal);
    }
  };
  source.on("SIGINT", handle);
  source.on("SIGTERM", handle);
}
