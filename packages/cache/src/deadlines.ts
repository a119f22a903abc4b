import { performance } from "node:perf_hooks";

/** One call's deadline: `settle` when the call answers; true if it answered first (the expiry will not run). */
export interface Deadline {
  settle(): boolean;
}

/** A call's place in the queue, and its deadline as handed to the caller (one object for both). */
class Pending implements Deadline {
  settled = false;
  constructor(
    readonly at: number,
    readonly expire: () => void,
  ) {}

  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}

/** Queue length past which the settled head is dropped (amortised: the queue never holds more than that twice over). */
const COMPACT_AT = 1024;

/**
 * One timeout of a fixed length for every call of a hot path, on one timer instead of one per call: calls start
 * in order and share a length, so their deadlines come in order, and the timer only ever waits for the oldest
 * one still unanswered. A call costs a queue slot, not a timer to arm and clear (the Redis GET of an L2 hit is
 * short enough for that to be a visible share of it).
 *
 * As with `withTimeout`, an expiry is delivered in the event loop's next check phase, so that a reply already
 * read from the socket after a stall wins over its timeout.
 */
export class Deadlines {
  private readonly queue: Pending[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ms: number) {}

  /** Settles like `promise`, or rejects with what `onTimeout` returns once the length has passed (a late rejection of `promise` stays handled). */
  race<T>(promise: PromiseLike<T>, onTimeout: () => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline = this.watch(() => {
        try {
          reject(onTimeout());
        } catch (error) {
          reject(error);
        }
      });
      promise.then(
        (value) => deadline.settle() && resolve(value),
        (error: unknown) => deadline.settle() && reject(error),
      );
    });
  }

  /**
   * Runs `expire` once the length has passed, unless the returned deadline is settled first. The caller settles
   * the one promise it hands out from both sides, so a call costs no promise of its own here.
   */
  watch(expire: () => void): Deadline {
    const pending = new Pending(performance.now() + this.ms, expire);
    this.queue.push(pending);
    if (this.timer === undefined) this.arm(this.ms);
    return pending;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, ms));
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    const expired: Pending[] = [];
    while (this.head < this.queue.length) {
      const pending = this.queue[this.head] as Pending;
      if (!pending.settled && pending.at > now) break;
      if (!pending.settled) expired.push(pending);
      this.head++;
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= COMPACT_AT) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    const next = this.queue[this.head];
    if (next) this.arm(next.at - now);
    if (expired.length > 0) {
      setImmediate(() => {
        for (const pending of expired) {
          if (pending.settled) continue;
          pending.settled = true;
          pending.expire();
        }
      });
    }
  }
}
