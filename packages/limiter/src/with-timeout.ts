import { LimiterTimeoutError } from "./errors/limiter-timeout-error.js";

/** Settles like `promise`, or rejects with LimiterTimeoutError after `ms`; a late rejection of `promise` stays handled. */
export function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimiterTimeoutError(operation, ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
