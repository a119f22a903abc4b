import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { StartupError, isListening, isLocalHost } from "./probe.js";

function redisServerOnPath(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * Makes sure a Redis answers at `url`: returns nothing if one does, starts a `redis-server` from PATH on
 * that port if the URL is local (returning the child so it can be stopped), or explains what to install.
 */
export async function ensureRedis(url: string, variable: string): Promise<ChildProcess | undefined> {
  const { hostname, port: rawPort } = new URL(url);
  const port = Number(rawPort || 6379);
  if (await isListening(hostname, port)) return undefined;
  if (!isLocalHost(hostname)) {
    throw new StartupError(`Redis is not reachable at ${url}. Start it, or point ${variable} at a running Redis.`);
  }
  if (!redisServerOnPath()) {
    throw new StartupError(
      `Redis is not reachable at ${url} and no redis-server is on PATH.\n` +
        "Install Redis ≥ 6.2 (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis), " +
        `or set ${variable} to a running Redis.`,
    );
  }
  console.log(`[start] no Redis on port ${port}: starting a local redis-server (in memory, stopped with SecAPI)`);
  const child = spawn(
    "redis-server",
    ["--port", String(port), "--bind", hostname === "localhost" ? "127.0.0.1" : hostname, "--save", "", "--appendonly", "no"],
    { stdio: "ignore" },
  );
  for (let i = 0; i < 50 && !(await isListening(hostname, port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await isListening(hostname, port))) throw new StartupError(`redis-server did not start on port ${port}`);
  return child;
}
