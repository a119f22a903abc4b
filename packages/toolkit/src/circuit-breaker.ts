import { performance } from "node:perf_hooks";

/** Closed: calls go through. Open: they are refused. Half-open: the one probe is deciding (calls still refused). */
export type BreakerState = "closed" | "open" | "half-open";

/** How a CircuitBreaker opens and how it finds out that the dependency answers again. */
export interface CircuitBreakerOptions {
  /** Failures in a row that open the breaker (failures of calls in flight together count once). */
  failureThreshold: number;
  /** How long it stays open before a probe is started (by the next caller to ask). */
  cooldownMs: number;
  /**
   * Whether the dependency answers now (e.g. a PING within a timeout). Runs in the background, one at a time;
   * it must settle (give it a timeout of its own). A rejection counts as "no".
   */
  probe: () => Promise<boolean>;
  /** Monotonic milliseconds (default `performance.now`). */
  now?: () => number;
  onStateChange?: (state: BreakerState) => void;
}

/**
 * Stops sending calls to a dependency that keeps failing, so that callers pay nothing while it is down, and
 * closes again by itself.
 *
 * - Closed: `tryCall()` hands out a ticket; the caller reports the outcome with `recordSuccess()` or
 *   `recordFailure(ticket)`. `failureThreshold` failures in a row open it.
 * - Calls that were in flight together and fail together are one failure: a stall of this process (GC, a burst
 *   of work) or one slow moment of the dependency makes every call in flight miss its timeout at once, and that
 *   alone must not open the breaker. A failure counts only if its call started after the last failure that
 *   counted, so opening takes `failureThreshold` rounds of calls failing one after another.
 * - Open: `tryCall()` refuses at once (undefined). The first call after the cooldown starts the probe in the
 *   background (half-open); no caller ever waits for it. Exactly one probe runs at a time.
 * - Only a successful probe closes it: a reply to a call sent before it opened says nothing about the dependency
 *   now, and letting it close the breaker would send the whole load back to a dependency that is still stalled.
 *   A failed probe opens it for another cooldown.
 *
 * @example
 * const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 1000, probe: async () => (await redis.ping()) === "PONG" });
 * const ticket = breaker.tryCall();
 * if (ticket === undefined) return skipped();
 * try { const value = await call(); breaker.recordSuccess(); return value; } catch (error) { breaker.recordFailure(ticket); throw error; }
 */
export class CircuitBreaker {
  private current: BreakerState = "closed";
  private failures = 0;
  private openedAt = 0;
  /** Calls let through so far: each call's ticket is its number. */
  private started = 0;
  /** Calls started when the last failure counted: their own failures are that same failure. */
  private countedThrough = 0;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? (() => performance.now());
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether calls are being refused (open or half-open). */
  get isOpen(): boolean {
    return this.current !== "closed";
  }

  /**
   * A ticket for a call that may go out now, to pass to `recordFailure`; undefined while open or half-open. While
   * open, starts the probe once the cooldown has passed.
   */
  tryCall(): number | undefined {
    if (this.current === "closed") return ++this.started;
    if (this.current === "open" && this.now() - this.openedAt >= this.options.cooldownMs) this.startProbe();
    return undefined;
  }

  /** A call succeeded: while closed, the run of failures is over. Never closes an open breaker. */
  recordSuccess(): void {
    if (this.current === "closed") this.failures = 0;
  }

  /** The call with this ticket failed. */
  recordFailure(ticket: number): void {
    if (this.current !== "closed" || ticket <= this.countedThrough) return;
    this.countedThrough = this.started;
    if (++this.failures >= this.options.failureThreshold) this.open();
  }

  /** The dependency showed a sign of life (it answered a call that had timed out): probe now, not after the cooldown. */
  probeNow(): void {
    if (this.current === "open") this.startProbe();
  }

  private startProbe(): void {
    this.transition("half-open");
    let probing: Promise<boolean>;
    try {
      probing = this.options.probe();
    } catch {
      probing = Promise.resolve(false);
    }
    void probing.then(
      (answered) => (answered ? this.close() : this.open()),
      () => this.open(),
    );
  }

  private open(): void {
    this.openedAt = this.now();
    this.transition("open");
  }

  private close(): void {
    this.failures = 0;
    this.countedThrough = this.started;
    this.transition("closed");
  }

  private transition(state: BreakerState): void {
    if (state === this.current) return;
    this.current = state;
    this.options.onStateChange?.(state);
  }
}
