import { withTimeout } from "@secapi/toolkit";
import type { Cluster, Redis } from "ioredis";
import { CacheTimeoutError } from "./errors/cache-timeout-error.js";
import { CacheUnavailableError } from "./errors/cache-unavailable-error.js";
import { type Invalidation, parseInvalidation } from "./invalidation.js";
import type { KeyLayout } from "./key-layout.js";
import type { RedisStore } from "./redis-store.js";
import { whenReady } from "./when-ready.js";

export interface InvalidationBusOptions {
  subscriber: Redis | Cluster;
  /** Whether the bus created the subscriber and so disconnects it on close. */
  ownsSubscriber: boolean;
  layout: KeyLayout;
  store: RedisStore;
  instanceId: string;
  /** Another instance's invalidation arrived. */
  onInvalidation: (invalidation: Invalidation) => void;
  logger?: { warn(obj: object, msg: string): void };
}

const RESUBSCRIBE_MS = 1000;

/**
 * Pub/sub between instances: invalidations (keys, tags, patterns; never values) so that other L1s drop
 * entries within a round trip, and "filled" notices so that stampede followers wake as soon as the lock
 * holder has written. Delivery is at most once; the fence bounds what a lost message can cost, and
 * followers also poll.
 */
export class InvalidationBus {
  private readonly waiters = new Map<string, Set<() => void>>();
  private retry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly onMessage = (channel: string, message: string) => this.receive(channel, message);

  constructor(private readonly options: InvalidationBusOptions) {}

  /** Subscribes; if Redis does not answer, keeps retrying in the background and resolves anyway. */
  async start(): Promise<void> {
    const { subscriber } = this.options;
    subscriber.on("message", this.onMessage);
    if (this.options.ownsSubscriber) subscriber.on("error", () => undefined);
    if (await whenReady(subscriber, RESUBSCRIBE_MS)) await this.subscribe();
    else this.retryLater(new CacheUnavailableError("subscribe"));
  }

  /** Tells other instances to drop what `invalidation` names. */
  async publishInvalidation(invalidation: Invalidation): Promise<void> {
    const message = JSON.stringify({ i: this.options.instanceId, k: invalidation.kind, d: invalidation.items });
    await this.options.store.publish(this.options.layout.invalidateChannel, message);
  }

  /** Wakes the followers waiting for `key` in every instance. */
  async publishFilled(key: string): Promise<void> {
    await this.options.store.publish(this.options.layout.filledChannel, key);
  }

  /** Resolves when `key` is announced as filled, or after `ms`. */
  waitForFill(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let waiters = this.waiters.get(key);
      if (!waiters) this.waiters.set(key, (waiters = new Set()));
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(key) === waiters) this.waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    for (const waiters of this.waiters.values()) for (const done of [...waiters]) done();
    const { subscriber, layout } = this.options;
    subscriber.off("message", this.onMessage);
    if (this.options.ownsSubscriber) subscriber.disconnect();
    else
      await withTimeout(
        subscriber.unsubscribe(layout.invalidateChannel, layout.filledChannel),
        1000,
        () => new CacheTimeoutError("unsubscribe", 1000),
      ).catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    const { subscriber, layout } = this.options;
    try {
      // Once subscribed, ioredis resubscribes by itself after every reconnect.
      await withTimeout(
        subscriber.subscribe(layout.invalidateChannel, layout.filledChannel),
        RESUBSCRIBE_MS,
        () => new CacheTimeoutError("subscribe", RESUBSCRIBE_MS),
      );
    } catch (error) {
      this.retryLater(error);
    }
  }

  private retryLater(error: unknown): void {
    if (this.closed) return;
    this.options.logger?.warn({ err: error }, "cache invalidation subscriber not connected; retrying (the fence keeps L1 correct)");
    this.retry = setTimeout(() => void this.subscribe(), RESUBSCRIBE_MS);
    this.retry.unref();
  }

  private receive(channel: string, message: string): void {
    const { layout } = this.options;
    if (channel === layout.filledChannel) {
      for (const done of [...(this.waiters.get(message) ?? [])]) done();
      return;
    }
    if (channel !== layout.invalidateChannel) return;
    let parsed: { i?: unknown; k?: unknown; d?: unknown };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    // This instance applied its own invalidations before publishing them.
    if (parsed.i === this.options.instanceId) return;
    const invalidation = parseInvalidation(parsed.k, parsed.d);
    if (invalidation) this.options.onInvalidation(invalidation);
  }
}
