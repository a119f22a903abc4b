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
  /** What every version's name starts with. */
  readonly prefix: string;

  constructor(readonly script: LuaScript) {
    const entry = ENTRY.exec(script.source);
    if (!entry) throw new LuaScriptHeaderError(`${script.name}.lua`, `does not end with "return <function>(KEYS, ARGV)"`);
    this.prefix = `secapi_${script.name}_`;
    this.name = `${this.prefix}${script.sha.slice(0, 16)}`;
    this.library =
      `#!lua name=${this.name}\n` +
      `${script.source.slice(0, entry.index)}\n` +
      `redis.register_function('${this.name}', ${entry[1] ?? ""})\n`;
  }

  /** Whether `name` is the library of another version of the same script. */
  isOtherVersion(name: string): boolean {
    return name !== this.name && name.startsWith(this.prefix) && /^[0-9a-f]{16}$/.test(name.slice(this.prefix.length));
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
const NOT_FOUND = "Function not found";

/**
 * Runs a RedisFunction on one client, for a binary reply (its keys in one slot under Cluster): FCALL, loading the library when the
 * server does not have it (first use, a restart without persistence, FUNCTION FLUSH, another version's process
 * deleting it); EVALSHA/EVAL of the same script from the first time the server refuses FUNCTION, and for a call
 * whose library was deleted again between its load and its FCALL. ioredis would decode a bulk reply as UTF-8
 * text, so every call is a Buffer variant. Not callBuffer: under enableAutoPipelining ioredis 5 hands
 * callBuffer's arguments to the pipeline as the command name and throws.
 *
 * Each version of a script is a library of its own, so without cleanup a shared Redis keeps one per deploy. A
 * caller whose very first FCALL finds its library missing (a process of a new version, or one starting after a
 * FLUSH) deletes the other versions' libraries of the same script when it loads its own. A process still
 * running one of those versions (a rolling deploy) gets `Function not found` on its next call, loads its
 * library again and calls again (a failed FCALL ran nothing), and never deletes in turn: it already had an
 * answer from its library, so two versions cannot keep deleting each other's. What is left after a deploy is
 * the library of the version before, until the next one.
 */
export class RedisFunctionCaller {
  private readonly redis: BufferCalls;
  private scriptOnly = false;
  /** Until the first FCALL answers or the first load: whether loading deletes other versions' libraries. */
  private firstUse = true;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly fn: RedisFunction,
  ) {
    // ioredis defines a Buffer twin of every command at runtime; its typings leave these out.
    this.redis = client as unknown as BufferCalls;
  }

  async call(keys: readonly string[], args: readonly LuaArg[]): Promise<Buffer> {
    if (!this.scriptOnly) {
      try {
        const reply = (await this.redis.fcallBuffer(this.fn.name, keys.length, ...keys, ...args)) as Buffer;
        this.firstUse = false;
        return reply;
      } catch (error) {
        const message = errorText(error);
        if (UNSUPPORTED.test(message)) this.scriptOnly = true;
        else if (!message.includes(NOT_FOUND)) throw error;
        else {
          // A failed FCALL ran nothing, so calling again counts nothing twice.
          await this.load();
          if (!this.scriptOnly) {
            try {
              return (await this.redis.fcallBuffer(this.fn.name, keys.length, ...keys, ...args)) as Buffer;
            } catch (again) {
              // Deleted again since the load (a process of another version starting): EVALSHA runs the same file.
              if (!errorText(again).includes(NOT_FOUND)) throw again;
            }
          }
        }
      }
    }
    return this.evalScript(keys, args);
  }

  private async evalScript(keys: readonly string[], args: readonly LuaArg[]): Promise<Buffer> {
    const { script } = this.fn;
    try {
      return (await this.redis.evalshaBuffer(script.sha, keys.length, ...keys, ...args)) as Buffer;
    } catch (error) {
      if (!errorText(error).startsWith("NOSCRIPT")) throw error;
      return (await this.redis.evalBuffer(script.source, keys.length, ...keys, ...args)) as Buffer;
    }
  }

  /** One FUNCTION LOAD at a time, on every master of a Cluster (FCALL runs where its key lives). */
  private load(): Promise<void> {
    const prune = this.firstUse;
    this.firstUse = false;
    this.loading ??= Promise.all(this.masters().map((node) => this.loadOn(node, prune)))
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

  private async loadOn(node: Redis, prune: boolean): Promise<void> {
    try {
      await node.function("LOAD", this.fn.library);
    } catch (error) {
      const message = errorText(error);
      if (UNSUPPORTED.test(message)) this.scriptOnly = true;
      // Another process (or call) loaded the same version first.
      else if (!message.includes("already exists")) throw error;
    }
    if (prune && !this.scriptOnly) await this.deleteOtherVersions(node);
  }

  /** Deletes the libraries of this script's other versions on one node (see the class's comment). */
  private async deleteOtherVersions(node: Redis): Promise<void> {
    const libraries = (await node.function("LIST", "LIBRARYNAME", `${this.fn.prefix}*`)) as unknown[][];
    const others = libraries.map((library) => String(library[1])).filter((name) => this.fn.isOtherVersion(name));
    await Promise.all(
      others.map((name) =>
        node.function("DELETE", name).catch((error: unknown) => {
          // Deleted by another process of this version at the same time.
          if (!errorText(error).includes("Library not found")) throw error;
        }),
      ),
    );
  }
}
