import type { Invalidation } from "./invalidation.js";
import type { FenceReading, Outcome } from "./redis-store.js";

export interface FenceOptions {
  /** The bound: L1 is served only within this many ms of the last confirmation. */
  fenceMs: number;
  instanceId: string;
  /** Monotonic milliseconds. */
  now: () => number;
  read: (since: string) => Promise<Outcome<FenceReading>>;
  /** Applies another instance's invalidation to L1. */
  apply: (invalidation: Invalidation) => void;
  /** Drops all of L1: the history since this instance's epoch is incomplete. */
  clear: () => void;
}

/**
 * Keeps a lost pub/sub message from letting L1 serve an invalidated entry for long.
 *
 * Every invalidation appends to a stream in Redis whose last id is the epoch. This instance remembers the
 * epoch it has applied and the time `t` at which it *sent* the read that confirmed it. L1 is served only
 * while `now - t <= fenceMs`; past that a caller first reads the fence (one round trip shared by all
 * concurrent callers), replays the invalidations since its epoch, or drops all of L1 when that history is
 * trimmed or gone. Since a read sent at `t` is executed by Redis after `t`, an invalidation committed at
 * `T` is seen by every confirmation sent after `T`, so no L1 serves the old value after `T + fenceMs`,
 * whatever happened to the message. Reads are refreshed ahead, in the background, past half the bound.
 */
export class Fence {
  private epoch: string | undefined;
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<boolean> | undefined;

  constructor(private readonly options: FenceOptions) {}

  /** The last epoch applied, or undefined before the first successful read. */
  get lastEpoch(): string | undefined {
    return this.epoch;
  }

  /** Whether L1 may be served now without reading the fence. */
  isConfirmed(): boolean {
    return this.options.now() - this.confirmedAt <= this.options.fenceMs;
  }

  /** Whether L1 may be served: true at once while confirmed, otherwise after a fence read (false if Redis does not answer). */
  ensure(): boolean | Promise<boolean> {
    const age = this.options.now() - this.confirmedAt;
    if (age <= this.options.fenceMs) {
      if (age > this.options.fenceMs / 2) void this.refresh();
      return true;
    }
    return this.refresh().then(() => this.isConfirmed());
  }

  /**
   * Reads the fence with a read sent after this call, not one already in flight: after this instance's
   * own invalidation, so that its epoch moves past it and its next fill is not taken for a stale one.
   */
  async readAfterNow(): Promise<boolean> {
    await this.pending?.catch(() => undefined);
    return this.refresh();
  }

  /** Reads the fence now, or joins the read in flight; resolves whether it answered. */
  refresh(): Promise<boolean> {
    this.pending ??= this.read().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async read(): Promise<boolean> {
    const sentAt = this.options.now();
    const reading = await this.options.read(this.epoch ?? "");
    if (!reading.ok) return false;
    const { value } = reading;
    if (value.change === "gap") this.options.clear();
    if (value.change === "replay") {
      // This instance's own invalidations were applied to its L1 before they were sent.
      for (const record of value.records) if (record.instance !== this.options.instanceId) this.options.apply(record.invalidation);
    }
    this.epoch = value.epoch;
    this.confirmedAt = Math.max(this.confirmedAt, sentAt);
    return true;
  }
}
