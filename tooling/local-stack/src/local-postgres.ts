import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { exitOf } from "./child-exit.js";
import { StartupError, isListening, isLocalHost } from "./probe.js";

const PASSWORD = "secapi";
const HOST_SCRIPT = fileURLToPath(new URL("./embedded-postgres-host.js", import.meta.url));

export interface RunningPostgres {
  /** DATABASE_URL to hand to the apps (the embedded server needs a password). */
  databaseUrl: string;
  /** Stops the server and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Makes sure Postgres answers at `url`. If nothing listens on a local URL's port, starts an embedded
 * PostgreSQL (binaries from npm) with its data in `dataDir`, and returns the URL to use instead.
 */
export async function ensurePostgres(url: string, dataDir: string): Promise<RunningPostgres | undefined> {
  const parsed = new URL(url);
  const port = Number(parsed.port || 5432);
  if (await isListening(parsed.hostname, port)) return undefined;
  if (!isLocalHost(parsed.hostname)) {
    throw new StartupError(`PostgreSQL is not reachable at ${url}. Start it, or set DATABASE_URL to a running server.`);
  }
  if (process.getuid?.() === 0) {
    throw new StartupError(
      `PostgreSQL is not reachable at ${url}, and an embedded one cannot run as root.\n` +
        "Start your PostgreSQL (e.g. sudo pg_ctlcluster 15 main start), install one (sudo apt-get install postgresql), " +
        "run pnpm start as a regular user, or set DATABASE_URL to a running server.",
    );
  }
  console.log(`[start] no PostgreSQL on port ${port}: starting an embedded one (data in ${dataDir})`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // A process group of its own, so a terminal's Ctrl-C does not stop Postgres while the apps still drain.
  const host = spawn(process.execPath, [HOST_SCRIPT, JSON.stringify({ dataDir, port, password: PASSWORD })], {
    detached: true,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exit = exitOf(host);
  const stop = async () => {
    host.kill("SIGTERM");
    await exit;
  };
  const ready = await new Promise<true | string>((resolve) => {
    host.once("message", (message: unknown) => resolve(message === "ready" ? true : String((message as { error?: unknown }).error)));
    void exit.then(() => resolve("it exited before it was ready"));
  });
  if (ready !== true) {
    await stop();
    throw new StartupError(`The embedded PostgreSQL did not start: ${ready}`);
  }
  const databaseUrl = new URL(url);
  databaseUrl.username = "postgres";
  databaseUrl.password = PASSWORD;
  return { databaseUrl: databaseUrl.toString(), stop };
}
