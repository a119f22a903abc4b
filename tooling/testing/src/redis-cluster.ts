import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Cluster, type ClusterOptions, Redis } from "ioredis";
import { waitFor } from "./wait-for.js";

const run = promisify(execFile);

/** A port free for a cluster node: both it and its cluster bus port (+10000). */
async function freeNodePort(): Promise<number> {
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.unref();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
      });
    });
  for (;;) {
    const port = await listen(0);
    if (port + 10_000 > 65_535) continue;
    if (
      await listen(port + 10_000).then(
        () => true,
        () => false,
      )
    )
      return port;
  }
}

async function redisCli(port: number, ...args: string[]): Promise<string> {
  return (await run("redis-cli", ["-p", String(port), ...args]).catch(() => ({ stdout: "" }))).stdout.trim();
}

/**
 * A Redis Cluster of the test's own: `masters` redis-server processes (3 by default, no replicas) on free ports
 * with `--cluster-enabled yes`, joined by `redis-cli --cluster create`, their files in a temporary directory.
 * `stop()` kills each node by its PID and removes the directory. Clients from `connect()` are closed by `stop()`.
 */
export class TestRedisCluster {
  private readonly clients: (Cluster | Redis)[] = [];

  private constructor(
    readonly ports: number[],
    private readonly nodes: ChildProcess[],
    /** Where the nodes keep their cluster config files. */
    readonly dir: string,
  ) {}

  static async start(masters = 3): Promise<TestRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), "secapi-redis-cluster-"));
    const ports: number[] = [];
    while (ports.length < masters) {
      const port = await freeNodePort();
      if (!ports.includes(port)) ports.push(port);
    }
    const nodes = ports.map((port) =>
      spawn(
        "redis-server",
        [
          "--port",
          String(port),
          "--bind",
          "127.0.0.1",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          join(dir, `nodes-${port}.conf`),
          "--dir",
          dir,
          "--save",
          "",
          "--appendonly",
          "no",
        ],
        { stdio: "ignore" },
      ),
    );
    const cluster = new TestRedisCluster(ports, nodes, dir);
    try {
      await waitFor(async () => (await Promise.all(ports.map((port) => redisCli(port, "PING")))).every((reply) => reply === "PONG"), {
        what: "the cluster nodes to answer",
      });
      await run("redis-cli", [
        "--cluster",
        "create",
        ...ports.map((port) => `127.0.0.1:${port}`),
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ]);
      await waitFor(
        async () =>
          (await Promise.all(ports.map((port) => redisCli(port, "CLUSTER", "INFO")))).every((info) => info.includes("cluster_state:ok")),
        {
          what: "cluster_state:ok on every node",
        },
      );
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  /** A cluster client (errors swallowed; tests assert on replies), closed by `stop()`. */
  connect(options: ClusterOptions = {}): Cluster {
    const client = new Cluster([{ host: "127.0.0.1", port: this.ports[0] as number }], {
      redisOptions: { maxRetriesPerRequest: 1 },
      ...options,
    });
    client.on("error", () => undefined);
    this.clients.push(client);
    return client;
  }

  /** Keys matching `pattern` on each master, found by SCAN on that master (in the order of `ports`). */
  async keysPerMaster(pattern: string): Promise<number[]> {
    return Promise.all(
      this.ports.map(async (port) => {
        const node = new Redis(port, "127.0.0.1", { maxRetriesPerRequest: 1 });
        node.on("error", () => undefined);
        try {
          let count = 0;
          let cursor = "0";
          do {
            const [next, keys] = await node.scan(cursor, "MATCH", pattern, "COUNT", 1000);
            cursor = next;
            count += keys.length;
          } while (cursor !== "0");
          return count;
        } finally {
          node.disconnect();
        }
      }),
    );
  }

  /** Closes the clients, kills every node by PID, waits for them to exit and removes their files. */
  async stop(): Promise<void> {
    for (const client of this.clients.splice(0)) client.disconnect();
    await Promise.all(
      this.nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.exitCode !== null || node.signalCode !== null || node.pid === undefined) return resolve();
            node.once("exit", () => resolve());
            try {
              process.kill(node.pid, "SIGKILL");
            } catch {
              resolve();
            }
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
