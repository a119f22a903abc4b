import { Redis, type RedisOptions } from "ioredis";
import type { LimitWindow } from "../src/index.js";
import { decodeSlidingWindow } from "../src/sliding-window-state.js";
import { subjectKey, windowField } from "../src/window-key.js";

export const minute = (limit: number, name = "minute"): LimitWindow => ({ name, kind: "sliding", windowSeconds: 60, limit });
export const hour = (limit: number, name = "scans-hour"): LimitWindow => ({ name, kind: "sliding", windowSeconds: 3600, limit });
export const month = (limit: number, name = "scans-month"): LimitWindow => ({ name, kind: "calendar-month", limit });

/** A clock the test moves by hand: windows of minutes and months without waiting for them. */
export class FakeClock {
  constructor(public nowMs: number) {}
  readonly now = (): number => this.nowMs;
  set(ms: number): void {
    this.nowMs = ms;
  }
  advance(ms: number): void {
    this.nowMs += ms;
  }
}

/**
 * The client options the README recommends for the limiter's connection: a command the limiter gave up on
 * must fail, not wait in ioredis's queues and run after Redis returns (it would count twice: in Redis and
 * in the fallback's merged usage). Reconnects quickly, so outage tests see recovery within a second.
 */
export const LIMITER_CLIENT_OPTIONS: RedisOptions = {
  enableOfflineQueue: false,
  autoResendUnfulfilledCommands: false,
  retryStrategy: () => 100,
};

/** A connected client (ready, so the first check does not meet a disabled offline queue). */
export async function connect(url: string, options: RedisOptions = LIMITER_CLIENT_OPTIONS): Promise<Redis> {
  const redis = new Redis(url, { retryStrategy: () => 100, ...options });
  redis.on("error", () => undefined);
  if (redis.status !== "ready") await new Promise((resolve) => redis.once("ready", resolve));
  return redis;
}

/** Where one window of a subject lives: its subject's hash and its field there. */
export interface WindowRef {
  key: string;
  field: string;
}

/** The hash and field of `window` of `subject` at `nowMs`. */
export function windowRef(prefix: string, subject: string, window: LimitWindow, nowMs: number): WindowRef {
  return { key: subjectKey(prefix, subject), field: windowField(window, nowMs) };
}

/** The buckets of a sliding window (bucket index → units), checked to be ascending, non-empty and bookkept. */
export async function buckets(redis: Redis, ref: WindowRef): Promise<Record<string, string>> {
  const [summary, record] = await redis.hmgetBuffer(ref.key, ref.field, `${ref.field}:r`);
  if (!summary) {
    if (record) throw new Error(`${ref.field}: a record without a summary`);
    return {};
  }
  const state = decodeSlidingWindow(summary, record ?? null);
  return Object.fromEntries([...state.buckets].map(([bucket, units]) => [String(bucket), String(units)]));
}

/** Units in a sliding window (every stored bucket, counted or not). */
export async function bucketTotal(redis: Redis, ref: WindowRef): Promise<number> {
  return Object.values(await buckets(redis, ref)).reduce((sum, v) => sum + Number(v), 0);
}

/** A month counter as stored (null when missing). */
export function monthCount(redis: Redis, ref: WindowRef): Promise<string | null> {
  return redis.hget(ref.key, ref.field);
}

/** Whether a window has any state in Redis. */
export async function hasState(redis: Redis, ref: WindowRef): Promise<boolean> {
  return (await redis.hexists(ref.key, ref.field)) === 1;
}

/** Number of times `command` ran on the server (INFO commandstats). */
async function commandCalls(redis: Redis, command: string): Promise<number> {
  const info = await redis.info("commandstats");
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info);
  return Number(match?.[1] ?? 0);
}

/** Number of limiter scripts that ran on the server, as functions (FCALL) or scripts (EVALSHA, EVAL). */
export async function scriptCalls(redis: Redis): Promise<number> {
  const counts = await Promise.all(["fcall", "evalsha", "eval"].map((command) => commandCalls(redis, command)));
  return counts.reduce((sum, calls) => sum + calls, 0);
}

/** The Redis Cluster slot of a key: CRC16 (XMODEM) of its hash tag, or of the whole key without one. */
export function keySlot(key: string): number {
  const open = key.indexOf("{");
  const close = open >= 0 ? key.indexOf("}", open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(hashed)) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}
