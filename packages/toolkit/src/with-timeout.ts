/**
 * Settles like `promise`, or rejects with `errorFactory()` once `ms` have passed; the timer is cleared whichever
 * comes first, and a late rejection of `promise` stays handled. One promise and one timer per call (no
 * Promise.race): it wraps every Redis call of the hot paths.
 *
 * When the timer fires, the rejection waits for the event loop's next check phase: after a stall (GC, a burst of
 * work) the timer phase runs before pending socket reads, and a reply that had already arrived would otherwise
 * count as a timeout (and push a circuit breaker towards opening).
 *
 * @example
 * const reply = await withTimeout(redis.get(key), 50, () => new CacheTimeoutError("get", 50));
 */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, errorFactory: () => unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late: NodeJS.Immediate | undefined;
    const timer = setTimeout(() => {
      late = setImmediate(() => {
        try {
          reject(errorFactory());
        } catch (error) {
          reject(error);
        }
      });
    }, ms);
    const clear = () => {
      clearTimeout(timer);
      clearImmediate(late);
    };
    promise.then(
      (value) => {
        clear();
        resolve(value);
      },
      (error: unknown) => {
        clear();
        reject(error);
      },
    );
  });
}
