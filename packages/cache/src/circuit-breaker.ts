/** Closed: calls go to Redis. Open: they are skipped. Half-open: one probe is deciding. */
export type BreakerState = "closed" | "open" | "half-open";

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before probing. */
  cooldownMs: number;
  /** Monotonic milliseconds. */
  now: () => number;
  /** Checks whether Redis answers again (a PING); resolves true if it does. Must not reject. */
  probe: () => Promise<boolean>;
  onStateChange?: (state: BreakerState) => void;
}

/**
 * Stops sending calls to a Redis that keeps failing, so that callers pay nothing while it is down, and
 * closes again by itself. The probe runs in the background, so no caller ever waits for it.
 *
 * Only the probe closes an open breaker: a reply to a call sent before it opened says nothing about Redis
 * now, and letting it close the breaker would send the whole load back to a Redis that is still stalled.
 */
export class CircuitBreaker {
  private current: BreakerState = "closed";
  private failures = 0;
  private openedAt = 0;

  constructor(private readonly options: CircuitBreakerOptions) {}

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a call may be sent now; while open, starts the probe once the cooldown has passed. */
  allowRequest(): boolean {
    if (this.current === "closed") return true;
    if (this.current === "open" && this.options.now() - this.openedAt >= this.options.cooldownMs) this.startProbe();
    return false;
  }

  recordSuccess(): void {
    if (this.current === "closed") this.failures = 0;
  }

  recordFailure(): void {
    if (this.current !== "closed") return;
    if (++this.failures >= this.options.failureThreshold) this.open();
  }

  /** Redis showed a sign of life (it answered a call that had timed out): probe now rather than after the cooldown. */
  probeNow(): void {
    if (this.current === "open") this.startProbe();
  }

  private startProbe(): void {
    this.transition("half-open");
    void this.options.probe().then(
      (answered) => (answered ? this.close() : this.open()),
      () => this.open(),
    );
  }

  private open(): void {
    this.openedAt = this.options.now();
    this.transition("open");
  }

  private close(): void {
    this.failures = 0;
    this.transition("closed");
  }

  private transition(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
