/** How long `work` holds this event loop when run on it, in ms: what a caller would wait without a thread. */
export function inlineMs(work: () => unknown): number {
  const started = performance.now();
  work();
  return performance.now() - started;
}

/**
 * The worst gap between 5 ms timer ticks of this event loop while `work` runs: how long anything else waiting on
 * the loop (a request, a health check) could have been held up by it.
 */
export async function worstGapDuring<T>(work: () => Promise<T>): Promise<{ result: T; worstGap: number }> {
  let worstGap = 0;
  let last = performance.now();
  const ticker = setInterval(() => {
    const now = performance.now();
    worstGap = Math.max(worstGap, now - last);
    last = now;
  }, 5);
  try {
    return { result: await work(), worstGap };
  } finally {
    clearInterval(ticker);
  }
}
