/**
 * The error `create` makes, without a captured stack trace (its `stack` is only the name and message). For
 * errors that stand for an expected condition on a hot path, such as a timed-out Redis read under load: capturing
 * and formatting the stack is most of what such an error costs, and where it was made says nothing new.
 *
 * @example
 * const timeout = withoutStack(() => new CacheTimeoutError("get", 50));
 */
export function withoutStack<E extends Error>(create: () => E): E {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return create();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
