import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ADVISORY_EVENT_PACKAGES, syncAdvisoryFeed, zipJsonEntries } from "@secapi/core";
import { countAdvisories, createDb, createPool } from "@secapi/db";
import { zipFiles } from "@secapi/testing";
import pg from "pg";
import { ADVISORIES, PACKAGES, osvRecord } from "./fixtures/osv-generator.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const count = (n: number): string => Math.round(n).toLocaleString("en-US");
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

/** The generated database as an OSV-layout feed: one all.zip per ecosystem, served from files. */
async function writeFeed(dir: string): Promise<{ ecosystems: string[]; zipBytes: number }> {
  const byEcosystem = new Map<string, Record<string, string>>();
  for (let n = 0; n < ADVISORIES; n++) {
    const osv = osvRecord(n) as { id: string; affected: { package: { ecosystem: string } }[] };
    const ecosystem = osv.affected[0]!.package.ecosystem;
    const files = byEcosystem.get(ecosystem) ?? {};
    files[`${osv.id}.json`] = JSON.stringify(osv);
    byEcosystem.set(ecosystem, files);
  }
  let zipBytes = 0;
  for (const [ecosystem, files] of byEcosystem) {
    const path = join(dir, `${ecosystem}.zip`);
    await writeFile(path, zipFiles(files));
    zipBytes += (await stat(path)).size;
  }
  return { ecosystems: [...byEcosystem.keys()].sort(), zipBytes };
}

function serveFeed(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const [, ecosystem, file] = decodeURIComponent(req.url ?? "").split("/");
    if (file !== "all.zip" || !ecosystem) return res.writeHead(404).end();
    createReadStream(join(dir, `${ecosystem}.zip`))
      .on("error", () => res.writeHead(404).end())
      .once("open", () => res.writeHead(200, { "content-type": "application/zip" }))
      .pipe(res);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * Issue 17's first sync at scale: an empty database synced in full from a feed serving the generated
 * 50,000-advisory database (npm and PyPI all.zip over local HTTP), as the cache-worker does at first start.
 * Reports the time, the process's RSS at start and its peak during the sync (sampled every 20 ms), and the
 * `advisories.updated` events written (how many, the largest payload).
 */
export default async function advisoryFullSyncBench(): Promise<void> {
  const dbName = `secapi_bench_${randomBytes(4).toString("hex")}`;
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  execFileSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: "ignore",
  });
  const db = createDb(createPool({ connectionString: url, max: 4, statementTimeoutMs: 600_000 }));
  const dir = await mkdtemp(join(tmpdir(), "secapi-bench-feed-"));
  let feed: Server | undefined;
  try {
    const { ecosystems, zipBytes } = await writeFeed(dir);
    feed = await serveFeed(dir);
    const baseUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}`;

    (globalThis as { gc?: () => void }).gc?.();
    const rssAtStart = process.memoryUsage().rss;
    let peakRss = rssAtStart;
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const cpuAtStart = process.cpuUsage();
    const started = performance.now();
    const sync = await syncAdvisoryFeed({ db, baseUrl, ecosystems, retries: 0, timeoutMs: 120_000 });
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuAtStart);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    if (sync.status !== "done" || sync.ecosystems.some((e) => e.mode !== "full" || e.outcome !== "ok"))
      throw new Error(`full sync did not run as expected: ${JSON.stringify(sync)}`);
    const stored = await countAdvisories(db);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const { rows } = await client.query<{ n: number; largest: number; packages: number }>(
      `SELECT count(*)::int AS n, max(octet_length(payload::text))::int AS largest,
              sum(jsonb_array_length(payload -> 'data' -> 'packages'))::int AS packages
       FROM outbox WHERE job_name = 'advisories.updated'`,
    );
    await client.end();
    const events = rows[0]!;

    // The share of reading the zips alone (yauzl, entry by entry), same run.
    const readCpuAtStart = process.cpuUsage();
    const readStarted = performance.now();
    let entries = 0;
    for (const ecosystem of ecosystems)
      for await (const entry of zipJsonEntries(join(dir, `${ecosystem}.zip`))) entries += entry.text ? 1 : 0;
    const readSeconds = (performance.now() - readStarted) / 1000;
    const readCpu = process.cpuUsage(readCpuAtStart);
    const cpuSeconds = (usage: NodeJS.CpuUsage) => ((usage.user + usage.system) / 1e6).toFixed(1);

    console.log("\n## First full advisory sync (issue 17)\n");
    console.log(`| measure | value |\n|---|---|`);
    console.log(
      `| feed | ${count(ADVISORIES)} advisories over ${count(PACKAGES)} packages (${ecosystems.join(", ")}), all.zip ${mb(zipBytes)} in all |`,
    );
    console.log(`| stored | ${count(stored)} advisories |`);
    console.log(
      `| time (download, parse, store in one transaction per ecosystem) | ${seconds.toFixed(1)} s (${count(ADVISORIES / seconds)} advisories/s) |`,
    );
    console.log(`| of which this process's CPU | ${cpuSeconds(cpu)} s (the rest: Postgres, I/O, and the other processes of the host) |`);
    console.log(`| reading the ${count(entries)} zip entries alone | ${readSeconds.toFixed(1)} s, ${cpuSeconds(readCpu)} s CPU |`);
    console.log(`| RSS | ${mb(rssAtStart)} at start, ${mb(peakRss)} at peak (+${mb(peakRss - rssAtStart)}) |`);
    console.log(
      `| advisories.updated | ${events.n} events naming ${count(events.packages)} packages (≤ ${count(ADVISORY_EVENT_PACKAGES)} each), largest payload ${(events.largest / 1024).toFixed(0)} KiB |`,
    );
  } finally {
    await new Promise((resolve) => (feed ? feed.close(resolve) : resolve(undefined)));
    await rm(dir, { recursive: true, force: true });
    await db.destroy();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
