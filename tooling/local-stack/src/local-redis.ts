import { spawn, spawnSync } from "node:child_process";
import { exitOf } from "./child-exit.js";
import { StartupError, isListening, isLocalHost } from "./probe.js";

export interface RunningRedis {
  /** Stops the server and waits until it has exited. */
  stop(): Promise<void>;
}

function redisServerOnPath(): boolean {
  return spawnSync("redis-server", ["--version"], { stdio: "ignore" }).status === 0;
}

/**
 * Makes sure a Redis answers at `url`: returns nothing if one does, starts a `redis-server` from PATH on
 * that port if the URL is local (returning how to stop it), or explains what to install.
 */
export async function ensureRedis(url: string, variable: string): Promise<RunningRedis | undefined> {
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
    // A process group of its own: a terminal's Ctrl-C must not stop Redis while the apps still drain.
    { stdio: "ignore", detached: true },
  );
  const exit = exitOf(child);
  const stop = async () => {
    child.kill("SIGTERM");
    await exit;
  };
  for (let i = 0; i < 50 && !(await isListening(hostname, port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await isListening(hostname, port))) {
    await stop();
    throw new StartupError(`redis-server did not start on port ${port}`);
  }
  return { stop };
}
