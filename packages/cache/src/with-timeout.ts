import { CacheTimeoutError } from "./errors/cache-timeout-error.js";

/**
 * Races a Redis call against `ms`. The call itself cannot be cancelled; its late outcome is swallowed so
 * that it never becomes an unhandled rejection.
 *
 * When the timer fires, the rejection waits for the event loop's next check phase: after a stall (GC, a
 * burst of work) the timer phase runs before pending socket reads, and a reply that had already arrived
 * would otherwise count as a timeout and push the breaker towards opening.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = setImmediate(() => reject(new CacheTimeoutError(operation, ms)));
    }, ms);
  });
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
    clearImmediate(late);
  });
}
