import { performance } from "node:perf_hooks";

/** One call's deadline: `settle` when the call answers; true if it answered first (the expiry will not run). */
export interface Deadline {
  settle(): boolean;
}

/** A call's place in the queue, and its deadline as handed to the caller (one object for both). */
class Pending implements Deadline {
  settled = false;
  constructor(
    private readonly owner: Deadlines,
    readonly at: number,
    // Dropped once settled: it holds the call's reply until then, and a settled slot may wait in the queue behind a slower call.
    public expire: (() => void) | undefined,
  ) {}

  settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    this.expire = undefined;
    this.owner.trim();
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

  /** Slots held: the calls still unanswered, and those answered after the oldest of them. */
  get held(): number {
    return this.queue.length - this.head;
  }

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
    const pending = new Pending(this, performance.now() + this.ms, expire);
    this.queue.push(pending);
    if (this.timer === undefined) this.arm(this.ms);
    return pending;
  }

  /**
   * Drops the settled calls at the head of the queue. Replies come in the order the calls were sent, so this
   * keeps the queue to the calls still unanswered: a slot kept until the timer fires would keep its reply
   * (a cached value) alive through a garbage collection or two, which costs more than the whole queue.
   */
  trim(): void {
    const queue = this.queue;
    let head = this.head;
    while (head < queue.length && (queue[head] as Pending).settled) head++;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
    } else if (head >= COMPACT_AT) {
      queue.splice(0, head);
      head = 0;
    }
    this.head = head;
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => this.fire(), Math.max(0, ms));
  }

  private fire(): void {
    this.timer = undefined;
    const now = performance.now();
    const expired: Pending[] = [];
    let i = this.head;
    for (; i < this.queue.length; i++) {
      const pending = this.queue[i] as Pending;
      if (pending.settled) continue;
      if (pending.at > now) break;
      expired.push(pending);
    }
    const next = this.queue[i];
    if (next) this.arm(next.at - now);
    if (expired.length > 0) {
      setImmediate(() => {
        for (const pending of expired) {
          const expire = pending.expire;
          // The reply may have come in the meantime.
          if (pending.settle()) expire?.();
        }
      });
    }
  }
}
