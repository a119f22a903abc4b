import { type LuaArg, type LuaScript, LuaScriptHeaderError } from "@secapi/toolkit";
import type { Cluster, Redis } from "ioredis";

/** The last line of a script that can also be a library: it calls the script's entry function. */
const ENTRY = /\nreturn (\w+)\(KEYS, ARGV\)\s*$/;

/**
 * A Lua script file also loaded as a Redis Function library (Redis 7.0+): the library defines the script's
 * helpers once, at FUNCTION LOAD, where EVAL defines them again on every call. The file ends with
 * `return <entry>(KEYS, ARGV)`; the library registers `<entry>` instead. Library and function are named after
 * the script's SHA, so processes running different versions (a rolling deploy) each call their own.
 */
export class RedisFunction {
  /** The library's name, which is also its one function's name. */
  readonly name: string;
  /** What FUNCTION LOAD takes. */
  readonly library: string;

  constructor(readonly script: LuaScript) {
    const entry = ENTRY.exec(script.source);
    if (!entry) throw new LuaScriptHeaderError(`${script.name}.lua`, `does not end with "return <function>(KEYS, ARGV)"`);
    this.name = `secapi_${script.name}_${script.sha.slice(0, 16)}`;
    this.library =
      `#!lua name=${this.name}\n` +
      `${script.source.slice(0, entry.index)}\n` +
      `redis.register_function('${this.name}', ${entry[1] ?? ""})\n`;
  }
}

interface BufferCalls {
  fcallBuffer(name: string, numKeys: number, ...args: LuaArg[]): Promise<unknown>;
  evalshaBuffer(sha: string, numKeys: number, ...args: LuaArg[]): Promise<unknown>;
  evalBuffer(source: string, numKeys: number, ...args: LuaArg[]): Promise<unknown>;
}

const errorText = (error: unknown) => String((error as Error | undefined)?.message);
/** Redis before 7.0, or FCALL / FUNCTION renamed away or denied by ACL: the script's EVALSHA does the same. */
const UNSUPPORTED = /unknown command|NOPERM/i;

/**
 * Runs a RedisFunction with one key on one client, for a binary reply: FCALL, loading the library when the
 * server does not have it (first use, a restart without persistence, FUNCTION FLUSH); EVALSHA/EVAL of the same
 * script from the first time the server refuses FUNCTION. ioredis would decode a bulk reply as UTF-8 text, so
 * every call is a Buffer variant. Not callBuffer: under enableAutoPipelining ioredis 5 hands callBuffer's
 * arguments to the pipeline as the command name and throws.
 */
export class RedisFunctionCaller {
  private readonly redis: BufferCalls;
  private scriptOnly = false;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly fn: RedisFunction,
  ) {
    // ioredis defines a Buffer twin of every command at runtime; its typings leave these out.
    this.redis = client as unknown as BufferCalls;
  }

  async call(key: string, args: readonly LuaArg[]): Promise<Buffer> {
    if (!this.scriptOnly) {
      try {
        return (await this.redis.fcallBuffer(this.fn.name, 1, key, ...args)) as Buffer;
      } catch (error) {
        const message = errorText(error);
        if (UNSUPPORTED.test(message)) this.scriptOnly = true;
        else if (!message.includes("Function not found")) throw error;
        else {
          // A failed FCALL ran nothing, so calling again counts nothing twice.
          await this.load();
          if (!this.scriptOnly) return (await this.redis.fcallBuffer(this.fn.name, 1, key, ...args)) as Buffer;
        }
      }
    }
    return this.evalScript(key, args);
  }

  private async evalScript(key: string, args: readonly LuaArg[]): Promise<Buffer> {
    const { script } = this.fn;
    try {
      return (await this.redis.evalshaBuffer(script.sha, 1, key, ...args)) as Buffer;
    } catch (error) {
      if (!errorText(error).startsWith("NOSCRIPT")) throw error;
      return (await this.redis.evalBuffer(script.source, 1, key, ...args)) as Buffer;
    }
  }

  /** One FUNCTION LOAD at a time, on every master of a Cluster (FCALL runs where its key lives). */
  private load(): Promise<void> {
    this.loading ??= Promise.all(this.masters().map((node) => this.loadOn(node)))
      .then(() => undefined)
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  private masters(): Redis[] {
    const client = this.client;
    return client.isCluster ? (client as Cluster).nodes("master") : [client as Redis];
  }

  private async loadOn(node: Redis): Promise<void> {
    try {
      await node.function("LOAD", this.fn.library);
    } catch (error) {
      const message = errorText(error);
      if (UNSUPPORTED.test(message)) this.scriptOnly = true;
      // Another process (or call) loaded the same version first.
      else if (!message.includes("already exists")) throw error;
    }
  }
}
