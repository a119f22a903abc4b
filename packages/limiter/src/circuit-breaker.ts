import { performance } from "node:perf_hooks";

/**
 * Stops calling a Redis that keeps failing, so an outage costs a request ~0 ms instead of a timeout.
 * After `threshold` failures in a row it opens for `cooldownMs`; then the first caller probes and the
 * others keep skipping for another cooldown, which also re-arms a probe that never reported back.
 *
 * Calls that were in flight together and fail together are one failure: a stall of this process (GC, a
 * burst of work) or one slow moment of Redis makes every call in flight miss its timeout at once, and that
 * alone must not open the breaker and send the whole process to the fallback. A failure counts only if its
 * call started after the last failure that counted; so opening takes `threshold` rounds of calls failing
 * one after another (instantly when the connection is down, `threshold` timeouts when Redis hangs).
 * Uses the monotonic clock, not the limiter's injectable one: it measures real waiting.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  /** Calls let through so far: each call's ticket is its number. */
  private started = 0;
  /** Calls started when the last failure counted: their own failures are that same failure. */
  private countedThrough = 0;

  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /**
   * A ticket for a call that may go to Redis now, to pass to `recordFailure`; undefined while open (except
   * for one probe per cooldown).
   */
  tryCall(): number | undefined {
    if (this.failures >= this.threshold) {
      const now = this.now();
      if (now < this.openUntil) return undefined;
      this.openUntil = now + this.cooldownMs;
    }
    return ++this.started;
  }

  /** Whether Redis is being skipped. */
  get isOpen(): boolean {
    return this.failures >= this.threshold;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.openUntil = 0;
  }

  /** The call with this ticket failed. */
  recordFailure(ticket: number): void {
    if (ticket <= this.countedThrough) return;
    this.countedThrough = this.started;
    this.failures++;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.cooldownMs;
  }
}
