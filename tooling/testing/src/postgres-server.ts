import { execFile } from "node:child_process";
import { chown, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./redis-server.js";

const run = promisify(execFile);

/** The newest PostgreSQL server binaries installed the Debian way (`/usr/lib/postgresql/<major>/bin`). */
async function serverBinDir(): Promise<string> {
  const root = "/usr/lib/postgresql";
  const majors = (await readdir(root).catch(() => [])).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  if (!majors[0]) throw new Error(`no PostgreSQL server binaries under ${root} (apt-get install postgresql)`);
  return join(root, majors[0], "bin");
}

/** The uid/gid of the `postgres` OS user: Postgres refuses to run as root, so as root the cluster runs as it. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const [uid, gid] = await Promise.all([run("id", ["-u", "postgres"]), run("id", ["-g", "postgres"])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * A PostgreSQL cluster of the test's own (initdb in a temporary directory, its own port, trust auth), so a test
 * can stop it the way an outage does (`pg_ctl stop -m immediate`: every connection dropped at once) and start
 * it again with its data, without touching the shared server.
 */
export class TestPostgresServer {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly bin: string,
    private readonly asPostgres: boolean,
  ) {}

  static async create(): Promise<TestPostgresServer> {
    const bin = await serverBinDir();
    const user = await postgresUser();
    const dir = await mkdtemp(join(tmpdir(), "secapi-pg-"));
    if (user) await chown(dir, user.uid, user.gid);
    const server = new TestPostgresServer(await freePort(), dir, bin, user !== undefined);
    await server.pg("initdb", ["-D", join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale", "C"]);
    await server.start();
    return server;
  }

  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** Starts the cluster and waits until it accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await this.pg("pg_ctl", ["-D", join(this.dir, "data"), "-l", join(this.dir, "server.log"), "-o", options, "-w", "start"]);
  }

  /** Stops the cluster: `immediate` drops every connection at once, as a crash or a kill does. */
  async stop(mode: "immediate" | "fast" = "immediate"): Promise<void> {
    await this.pg("pg_ctl", ["-D", join(this.dir, "data"), "-m", mode, "-w", "stop"]);
  }

  /** Stops the cluster and removes its files. */
  async destroy(): Promise<void> {
    await this.stop("immediate").catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const path = join(this.bin, tool);
    const [command, argv] = this.asPostgres ? ["runuser", ["-u", "postgres", "--", path, ...args]] : [path, args];
    await run(command, argv, { cwd: this.dir });
  }
}
