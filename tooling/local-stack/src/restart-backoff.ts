export interface RestartBackoffOptions {
  /** Delay before the first restart. */
  initialMs: number;
  /** The delay doubles with each crash up to this. */
  maxMs: number;
  /** A run at least this long counts as stable: the next crash starts again from `initialMs`. */
  stableMs: number;
}

/** How long to wait before restarting an app that exited on its own: 1 s doubling to 30 s, reset by a stable run. */
export class RestartBackoff {
  private crashes = 0;

  constructor(private readonly options: RestartBackoffOptions = { initialMs: 1000, maxMs: 30_000, stableMs: 30_000 }) {}

  /** The delay before the next start of an app that ran for `ranMs` before it exited. */
  next(ranMs: number): number {
    if (ranMs >= this.options.stableMs) this.crashes = 0;
    const delay = Math.min(this.options.maxMs, this.options.initialMs * 2 ** this.crashes);
    this.crashes++;
    return delay;
  }
}
