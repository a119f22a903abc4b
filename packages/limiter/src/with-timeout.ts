import { LimiterTimeoutError } from "./errors/limiter-timeout-error.js";

/**
 * Settles like `promise`, or rejects with LimiterTimeoutError after `ms`; a late rejection of `promise` stays
 * handled. One promise and one timer per call (no Promise.race): this wraps every check.
 *
 * When the timer fires, the rejection waits for the event loop's next check phase: after a stall (GC, a burst
 * of work) the timer phase runs before pending socket reads, and a reply that had already arrived would
 * otherwise count as a timeout and push the breaker towards opening.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late: NodeJS.Immediate | undefined;
    const timer = setTimeout(() => {
      late = setImmediate(() => reject(new LimiterTimeoutError(operation, ms)));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        clearImmediate(late);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        clearImmediate(late);
        reject(error);
      },
    );
  });
}
