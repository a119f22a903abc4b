import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { uniqueId } from "@secapi/testing";
import { Cluster, Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cache } from "../src/index.js";

const run = promisify(execFile);

/** A port free for a cluster node: both it and its cluster bus port (+10000). */
async function freeNodePort(): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
      });
    });
  for (;;) {
    const port = await listen(0);
    if (port + 10_000 > 65_535) continue;
    if (await listen(port + 10_000).then(() => true, () => false)) return port;
  }
}

/** Three masters, no replicas, in a temporary directory. */
async function startCluster() {
  const dir = mkdtempSync(join(tmpdir(), "secapi-cache-cluster-"));
  const ports: number[] = [];
  while (ports.length < 3) {
    const port = await freeNodePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const nodes: ChildProcess[] = ports.map((port) =>
    spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--cluster-enabled", "yes", "--cluster-config-file", join(dir, `nodes-${port}.conf`), "--dir", dir, "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    ),
  );
  const stop = async () => {
    await Promise.all(nodes.map((node) => new Promise((resolve) => (node.exitCode !== null ? resolve(null) : (node.once("exit", resolve), node.kill("SIGKILL"))))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntil(async () => (await Promise.all(ports.map((port) => redisCli(port, "PING")))).every((reply) => reply === "PONG"));
    await run("redis-cli", ["--cluster", "create", ...ports.map((port) => `127.0.0.1:${port}`), "--cluster-replicas", "0", "--cluster-yes"]);
    await waitUntil(async () => (await Promise.all(ports.map((port) => redisCli(port, "CLUSTER", "INFO")))).every((info) => info.includes("cluster_state:ok")));
  } catch (error) {
    await stop();
    throw error;
  }
  return { ports, stop };
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  return (await run("redis-cli", ["-p", String(port), ...args]).catch(() => ({ stdout: "" }))).stdout.trim();
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("cluster did not come up");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

let cluster: Awaited<ReturnType<typeof startCluster>>;
const clients: Cluster[] = [];
const caches: Cache[] = [];
const prefix = uniqueId("cachecluster");

function connectCluster(): Cluster {
  const client = new Cluster([{ host: "127.0.0.1", port: cluster.ports[0] as number }], { redisOptions: { maxRetriesPerRequest: 1 } });
  client.on("error", () => undefined);
  clients.push(client);
  return client;
}

async function instance(): Promise<Cache> {
  // Generous: on a loaded machine a cluster call may take a while, and no test here is about the timeout.
  const cache = new Cache({ redis: connectCluster(), prefix, timeoutMs: 2000 });
  await cache.start();
  caches.push(cache);
  return cache;
}

/** Keys under `pattern` on each master, found with SCAN on that master. */
async function keysPerMaster(pattern: string): Promise<number[]> {
  return Promise.all(
    cluster.ports.map(async (port) => {
      const node = new Redis(port, "127.0.0.1");
      let count = 0;
      let cursor = "0";
      do {
        const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
        cursor = next;
        count += keys.length;
      } while (cursor !== "0");
      node.disconnect();
      return count;
    }),
  );
}

beforeAll(async () => {
  cluster = await startCluster();
}, 120_000);

afterAll(async () => {
  for (const cache of caches) await cache.close();
  for (const client of clients) client.disconnect();
  await cluster?.stop();
});

describe("on a Redis Cluster (3 masters)", () => {
  it("deleteByPattern and flush SCAN every master", async () => {
    const cache = await instance();
    const users = Array.from({ length: 60 }, (_, i) => `${prefix}:user:1:scans:${i}`);
    const others = Array.from({ length: 30 }, (_, i) => `${prefix}:user:2:scans:${i}`);
    for (const key of [...users, ...others]) expect(await cache.set(key, key, { ttl: 60, tags: ["bulk"] })).toBe(true);
    const spread = await keysPerMaster(`${prefix}:user:1:*`);
    expect(spread.every((n) => n > 0)).toBe(true);

    expect(await cache.deleteByPattern(`${prefix}:user:1:*`)).toBe(60);
    expect(await keysPerMaster(`${prefix}:user:1:*`)).toEqual([0, 0, 0]);
    expect((await cache.get(others[0] as string)).value).toBe(others[0]);

    expect(await cache.countKeys()).toBe(30);
    expect(await cache.flush()).toBe(30);
    expect((await keysPerMaster(`${prefix}:user:*`)).reduce((a, b) => a + b)).toBe(0);
    expect((await keysPerMaster(`${prefix}:__cache:tag:*`)).reduce((a, b) => a + b)).toBe(0);
  });

  it("getOrLoad, exact tag invalidation and delete work key by key across slots, and reach the other instance", async () => {
    const a = await instance();
    const b = await instance();
    const tagged = Array.from({ length: 10 }, (_, i) => `${prefix}:scan:t${i}`);
    const untagged = `${prefix}:scan:u`;
    for (const key of tagged) expect(await a.getOrLoad(key, async () => key, { ttl: 60, tags: ["user:9", `scan:${key}`] })).toMatchObject({ status: "MISS" });
    await a.getOrLoad(untagged, async () => "u", { ttl: 60, tags: ["user:8"] });
    for (const key of tagged) expect(await b.getOrLoad(key, async () => "other", { ttl: 60 })).toEqual({ value: key, status: "HIT" });

    expect(await a.invalidateTags(["user:9"])).toBe(10);
    expect((await keysPerMaster(`${prefix}:scan:t*`)).reduce((x, y) => x + y)).toBe(0);
    expect((await keysPerMaster(`${prefix}:__cache:tag:user:9`)).reduce((x, y) => x + y)).toBe(0);
    await expect.poll(async () => (await b.get(tagged[0] as string)).value, { timeout: 10_000, interval: 5 }).toBeUndefined();
    expect((await b.get(untagged)).value).toBe("u");

    expect(await b.delete(untagged)).toBe(1);
    expect((await keysPerMaster(`${prefix}:__cache:tag:user:8`)).reduce((x, y) => x + y)).toBe(0);
  });
});
