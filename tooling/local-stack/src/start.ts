#!/usr/bin/env node
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "@secapi/config";
import { exitOf } from "./child-exit.js";
import { ensurePostgres } from "./local-postgres.js";
import { ensureRedis } from "./local-redis.js";
import { type LabelColor, label } from "./prefixed-output.js";
import { StartupError } from "./probe.js";
import { onStopSignals } from "./stop-signals.js";
import { SupervisedApp } from "./supervised-app.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const APPS: Array<{ name: string; color: LabelColor }> = [
  { name: "api", color: "cyan" },
  { name: "scan-worker", color: "magenta" },
  { name: "cache-worker", color: "yellow" },
];
/** How much longer than an app's own drain limit (SHUTDOWN_TIMEOUT_MS) the supervisor waits before SIGKILL. */
const STOP_GRACE_MS = 5000;

const log = (message: string) => console.log(`${label("start", "green", process.stdout)} ${message}`);

async function migrate(env: NodeJS.ProcessEnv): Promise<boolean> {
  const child = spawn(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], { env, stdio: "inherit" });
  return (await exitOf(child)).code === 0;
}

/**
 * `pnpm start` after install and build: bring up what is missing, migrate, then supervise every app with its
 * output prefixed by its name. An app that exits on its own is restarted with back-off; the others keep running.
 * SIGTERM or Ctrl-C stops each app with one SIGTERM, waits for them to drain, stops what this started, exits 0;
 * a second Ctrl-C kills the apps.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const env: Record<string, string> = {};
  const stops: Array<() => Promise<void>> = [];
  const apps: SupervisedApp[] = [];
  let stopRequested = false;

  const exit = async (code: number): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((error: Error) => log(`could not stop a local service: ${error.message}`));
    log(code === 0 ? "stopped" : `stopped (exit code ${code})`);
    process.exit(code);
  };

  let stopping: Promise<void> | undefined;
  const stop = (reason: string) => {
    stopRequested = true;
    // Before the apps run, start-up notices the request between its steps.
    if (apps.length === 0 || stopping) return;
    log(`${reason}: stopping ${apps.map((a) => a.name).join(", ")} (one SIGTERM each; they drain in-flight work)`);
    stopping = Promise.all(apps.map((app) => app.stop(config.shutdownTimeoutMs + STOP_GRACE_MS))).then((clean) =>
      exit(clean.every(Boolean) ? 0 : 1),
    );
  };
  onStopSignals({
    stop: (signal) => stop(`${signal} received`),
    force: (signal) => {
      log(`${signal} received again: killing the apps`);
      for (const app of apps) app.kill();
      if (!stopping) void exit(1);
    },
  });
  // Orphaned (pnpm killed with SIGKILL, say): stop rather than run on unattended.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop("parent process exited");
  }, 1000).unref();

  try {
    const postgres = await ensurePostgres(config.databaseUrl, `${ROOT}.secapi/postgres`);
    if (postgres) {
      env.DATABASE_URL = postgres.databaseUrl;
      stops.push(postgres.stop);
    }
    for (const [url, variable] of [
      [config.redisUrl, "REDIS_URL"],
      [config.redisCacheUrl, "REDIS_CACHE_URL"],
    ] as const) {
      const redis = await ensureRedis(url, variable);
      if (redis) stops.push(redis.stop);
    }
  } catch (error) {
    console.error(error instanceof StartupError ? `\n[start] ${error.message}\n` : error);
    return exit(1);
  }
  if (stopRequested) return exit(0);

  // The apps write to this process through pipes, so they cannot see the terminal themselves: readable,
  // coloured logs when a person is watching (an explicit LOG_FORMAT or NO_COLOR still wins).
  if (process.stdout.isTTY && process.env.LOG_FORMAT === undefined) {
    env.LOG_FORMAT = "pretty";
    if (process.env.NO_COLOR === undefined) env.FORCE_COLOR = "1";
  }
  const childEnv = { ...process.env, ...env };
  const migrated = await migrate(childEnv);
  if (stopRequested) return exit(0);
  if (!migrated) {
    console.error("[start] migration failed; see above");
    return exit(1);
  }

  const available = APPS.filter(({ name }) => existsSync(`${ROOT}apps/${name}/dist/main.js`));
  log(`starting ${available.map((a) => a.name).join(", ")}; API on http://127.0.0.1:${config.port} (Ctrl-C stops everything)`);
  for (const { name, color } of available) {
    const app = new SupervisedApp({
      name,
      script: `${ROOT}apps/${name}/dist/main.js`,
      env: childEnv,
      cwd: ROOT,
      prefix: label(name, color, process.stdout),
      log,
    });
    apps.push(app);
    app.start();
  }
}

await main();
