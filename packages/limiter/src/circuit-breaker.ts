import { performance } from "node:perf_hooks";

/**
 * Stops calling a Redis that keeps failing, so an outage costs a request ~0 ms instead of a timeout.
 * After `threshold` consecutive failures it opens for `cooldownMs`; then the first caller probes and the
 * others keep skipping for another cooldown, which also re-arms a probe that never reported back.
 * Uses the monotonic clock, not the limiter's injectable one: it measures real waiting.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether a call may go to Redis now (false while open, except for one probe per cooldown). */
  allowRequest(): boolean {
    if (this.failures < this.threshold) return true;
    const now = this.now();
    if (now < this.openUntil) return false;
    this.openUntil = now + this.cooldownMs;
    return true;
  }

  /** Whether Redis is being skipped. */
  get isOpen(): boolean {
    return this.failures >= this.threshold;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  recordFailure(): void {
    this.failures++;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }
}
