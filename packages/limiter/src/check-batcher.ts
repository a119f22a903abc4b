import type { LuaArg } from "@secapi/toolkit";

/** Sends the checks of `keys` (their arguments one after another) in one call; resolves to their replies, concatenated. */
export type SendChecks = (keys: readonly string[], args: readonly LuaArg[]) => Promise<Buffer>;

export interface CheckBatcherOptions {
  /** Most checks in one call; 1 sends every check on its own, at once. */
  maxBatch: number;
  /** A key's Redis Cluster slot: only checks of one slot share a call. Undefined on a single server. */
  slotOf?: (key: string) => number;
}

interface PendingCheck {
  key: string;
  args: readonly LuaArg[];
  replyBytes: number;
  resolve(reply: Buffer): void;
  reject(error: unknown): void;
}

/**
 * Coalesces the checks issued in one turn of the event loop into one call of check.lua, which evaluates them one
 * after another (each atomic and exact, as if sent alone, in the order submitted). At concurrency most of a
 * check's cost is the call itself (the command's dispatch and reply in Redis, the command and socket write in
 * the client), which a batch pays once. A check waits at most until the current turn's I/O callbacks are done
 * (`setImmediate`); one found alone is sent as a call of its own. Every check keeps its own promise: a failed
 * call fails each of its checks, which the caller handles one by one, as before.
 */
export class CheckBatcher {
  private pending: PendingCheck[] = [];
  private scheduled = false;

  constructor(
    private readonly send: SendChecks,
    private readonly options: CheckBatcherOptions,
  ) {}

  /** One check: its key and arguments (packed numbers, then one field per window); resolves to its own reply. */
  submit(key: string, args: readonly LuaArg[]): Promise<Buffer> {
    if (this.options.maxBatch <= 1) return this.send([key], args);
    return new Promise<Buffer>((resolve, reject) => {
      // check.lua's reply: status, then used and resetMs per window (args: the numbers, then a field per window).
      this.pending.push({ key, args, replyBytes: 8 * (1 + 2 * (args.length - 1)), resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(this.flush);
      }
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const pending = this.pending;
    this.pending = [];
    const { maxBatch } = this.options;
    for (const group of this.bySlot(pending)) {
      for (let i = 0; i < group.length; i += maxBatch) this.sendBatch(group.slice(i, i + maxBatch));
    }
  };

  /** The checks grouped by Cluster slot, each group in the order submitted; all in one group on a single server. */
  private bySlot(pending: PendingCheck[]): PendingCheck[][] {
    const { slotOf } = this.options;
    if (!slotOf || pending.length === 1) return [pending];
    const groups = new Map<number, PendingCheck[]>();
    for (const check of pending) {
      const slot = slotOf(check.key);
      const group = groups.get(slot);
      if (group) group.push(check);
      else groups.set(slot, [check]);
    }
    return [...groups.values()];
  }

  private sendBatch(batch: PendingCheck[]): void {
    if (batch.length === 1) {
      const [only] = batch as [PendingCheck];
      this.send([only.key], only.args).then(only.resolve, only.reject);
      return;
    }
    const keys: string[] = [];
    const args: LuaArg[] = [];
    let replyBytes = 0;
    for (const check of batch) {
      keys.push(check.key);
      for (const arg of check.args) args.push(arg);
      replyBytes += check.replyBytes;
    }
    this.send(keys, args).then(
      (reply) => {
        if (reply.length !== replyBytes) {
          const error = new Error(`check.lua replied ${reply.length} bytes for a batch expecting ${replyBytes}`);
          for (const check of batch) check.reject(error);
          return;
        }
        let offset = 0;
        for (const check of batch) {
          check.resolve(reply.subarray(offset, offset + check.replyBytes));
          offset += check.replyBytes;
        }
      },
      (error: unknown) => {
        for (const check of batch) check.reject(error);
      },
    );
  }
}
