#!/usr/bin/env node
import { type ChildProcess, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadConfigOrExit } from "@secapi/config";
import { concurrently } from "concurrently";
import { ensurePostgres } from "./local-postgres.js";
import { ensureRedis } from "./local-redis.js";
import { StartupError } from "./probe.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const APPS = ["api", "scan-worker", "cache-worker"] as const;

/**
 * `pnpm start` after install and build: bring up what is missing, migrate, run every app with its
 * output prefixed by its name. Ctrl-C stops the apps (gracefully), then anything this started.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const env: Record<string, string> = {};
  const cleanups: (() => Promise<void> | void)[] = [];
  const stopLocal = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };

  try {
    const postgres = await ensurePostgres(config.databaseUrl, `${ROOT}.secapi/postgres`);
    if (postgres) {
      env.DATABASE_URL = postgres.databaseUrl;
      cleanups.push(() => postgres.stop());
    }
    const redisChildren: (ChildProcess | undefined)[] = [await ensureRedis(config.redisUrl, "REDIS_URL")];
    redisChildren.push(await ensureRedis(config.redisCacheUrl, "REDIS_CACHE_URL"));
    for (const child of redisChildren) if (child) cleanups.push(() => void child.kill("SIGTERM"));
  } catch (error) {
    await stopLocal();
    if (error instanceof StartupError) {
      console.error(`\n[start] ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  const childEnv = { ...process.env, ...env };
  const migrated = spawnSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], { env: childEnv, stdio: "inherit" });
  if (migrated.status !== 0) {
    await stopLocal();
    console.error("[start] migration failed; see above");
    process.exit(1);
  }

  const apps = APPS.filter((app) => existsSync(`${ROOT}apps/${app}/dist/main.js`));
  console.log(`[start] starting ${apps.join(", ")}; API on http://127.0.0.1:${config.port} (Ctrl-C stops everything)`);
  const { result } = concurrently(
    apps.map((app) => ({ name: app, command: `node apps/${app}/dist/main.js`, env: childEnv, cwd: ROOT })),
    { prefix: "name", killOthersOn: ["failure"], prefixColors: ["cyan", "magenta", "yellow"] },
  );
  let code = 0;
  await result.catch(() => {
    code = 1;
  });
  await stopLocal();
  process.exit(code);
}

await main();
