import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Cache, HotKeyTracker } from "@secapi/cache";
import { type CacheWorkerContext, createRerunQueue, handleEvent } from "@secapi/cache-worker";
import { CacheKeys, advisoryRecord, packageTag, syncAdvisoryFeed } from "@secapi/core";
import { createDb, createPool, resultIsCurrent } from "@secapi/db";
import { QUEUES, closeQueues, createQueues, eventSchema } from "@secapi/events";
import { createLogger } from "@secapi/runtime";
import { parseAdvisory } from "@secapi/scanners";
import { deleteKeysByPrefix, seededRandom } from "@secapi/testing";
import { Redis } from "ioredis";
import pg from "pg";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const REDIS_URL = process.env.BENCH_REDIS_URL ?? "redis://127.0.0.1:6379/1";

/** The database: 200,000 npm advisories over 50,000 packages (four each). */
const ADVISORIES = 200_000;
const PACKAGES = 50_000;
/** The feed's change since the last sync: 1,000 of them modified. */
const CHANGED = 1_000;
/** Stored results (each cached with its tags), 20 packages each: about a third hold a changed package. */
const RESULTS = 10_000;
const RESULT_SIZE = 20;
const BATCH = 10_000;

const BASE_MODIFIED = "2024-01-01T00:00:00Z";
const CHANGED_MODIFIED = "2024-07-01T00:00:00Z";
const count = (n: number): string => Math.round(n).toLocaleString("en-US");
const seconds = (ms: number): string => (ms / 1000).toFixed(2);
const packageName = (p: number) => `pkg-${p}`;
const packageOf = (n: number) => n % PACKAGES;

function osv(n: number, modified: string, fixed: string): Record<string, unknown> {
  return {
    schema_version: "1.6.0",
    id: `GHSA-gen-${n}`,
    modified,
    published: BASE_MODIFIED,
    summary: `Generated advisory ${n}`,
    affected: [
      {
        package: { ecosystem: "npm", name: packageName(packageOf(n)) },
        ranges: [{ type: "SEMVER", events: [{ introduced: "0" }, { fixed }] }],
      },
    ],
    database_specific: { severity: "HIGH" },
  };
}

/** An OSV-layout feed of npm: modified_id.csv lists every advisory (newest first), the changed ones as JSON. */
function startFeed(changed: Map<string, string>, changedIds: readonly string[]): Promise<Server> {
  const csv =
    changedIds.map((id) => `${CHANGED_MODIFIED},${id}\n`).join("") +
    Array.from({ length: ADVISORIES }, (_, n) => `GHSA-gen-${n}`)
      .filter((id) => !changed.has(id))
      .map((id) => `${BASE_MODIFIED},${id}\n`)
      .join("");
  const server = createServer((req, res) => {
    const file = decodeURIComponent(req.url ?? "").split("/")[2] ?? "";
    if (file === "modified_id.csv") return res.writeHead(200, { "content-type": "text/csv" }).end(csv);
    const body = file.endsWith(".json") ? changed.get(file.slice(0, -5)) : undefined;
    if (body === undefined) return res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/**
 * Issue 17's figure: an incremental feed sync of 1,000 changed advisories into a 200,000-advisory database, then
 * the cache-worker's handling of the `advisories.updated` event it emits. Reports the sync's time (index, 1,000
 * downloads, store, revisions, event) and the handler's, and the number of results invalidated (cache entries
 * dropped; results Postgres no longer serves as current) against the number actually affected (results holding a
 * package of a changed advisory, computed here from the generated data): they must be equal.
 */
export default async function advisoryIncrementalSyncBench(): Promise<void> {
  const random = seededRandom(0x17_0004);
  const int = (max: number): number => Math.floor(random() * max);
  const dbName = `secapi_bench_${randomBytes(4).toString("hex")}`;
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  execFileSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: "ignore",
  });
  const pool = createPool({ connectionString: url, max: 4, statementTimeoutMs: 600_000 });
  const db = createDb(pool);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const prefix = `bench${randomBytes(4).toString("hex")}`;
  const cache = new Cache({ redis, prefix, timeoutMs: 5000 });
  const queues = createQueues({ connection: redis, prefix });
  const reruns = createRerunQueue(redis, prefix);
  let feed: Server | undefined;
  try {
    await cache.start();
    // The database, written in bulk (the import path is advisory-import.bench.ts's subject, not this one's).
    const setupStarted = performance.now();
    const insert = async (text: string, rows: unknown[]) => {
      for (let i = 0; i < rows.length; i += BATCH) await pool.query(text, [JSON.stringify(rows.slice(i, i + BATCH))]);
    };
    const records = Array.from({ length: ADVISORIES }, (_, n) =>
      advisoryRecord(parseAdvisory(osv(n, BASE_MODIFIED, `${1 + (n % 5)}.0.0`))),
    );
    // Secondary indexes are built once after the rows, not row by row (several times faster).
    await pool.query("DROP INDEX advisories_aliases_idx, advisory_packages_advisory_id_idx, scan_results_tags_idx");
    await insert(
      `INSERT INTO advisories (id, modified, withdrawn, data, parser_version)
       SELECT id, modified, NULL, data::jsonb, parser_version FROM json_to_recordset($1::json)
         AS x(id text, modified timestamptz, data text, parser_version int)`,
      records.map((r) => ({ id: r.id, modified: r.modified, data: r.data, parser_version: r.parserVersion })),
    );
    await insert(
      `INSERT INTO advisory_packages (ecosystem, name, advisory_id)
       SELECT ecosystem, name, advisory_id FROM json_to_recordset($1::json) AS x(ecosystem text, name text, advisory_id text)`,
      records.flatMap((r) => r.packages.map((p) => ({ ...p, advisory_id: r.id }))),
    );

    const results = Array.from({ length: RESULTS }, (_, i) => {
      const packages = new Set<number>();
      while (packages.size < RESULT_SIZE) packages.add(int(PACKAGES));
      return {
        input_hash: createHash("sha256").update(`bench-result-${i}`).digest("hex"),
        packages: [...packages],
        tags: [...packages].map((p) => packageTag("npm", packageName(p))),
      };
    });
    await insert(
      `INSERT INTO scan_results (scan_type, owner_id, input_hash, result, tags, advisory_revision)
       SELECT 'dependencies', NULL, input_hash, '{"summary":{"total":0},"findings":[]}'::jsonb, ARRAY(SELECT json_array_elements_text(tags)), 0
       FROM json_to_recordset($1::json) AS x(input_hash text, tags json)`,
      results.map(({ input_hash, tags }) => ({ input_hash, tags })),
    );
    await pool.query("CREATE INDEX advisories_aliases_idx ON advisories USING gin ((data -> 'aliases'))");
    await pool.query("CREATE INDEX advisory_packages_advisory_id_idx ON advisory_packages (advisory_id)");
    await pool.query("CREATE INDEX scan_results_tags_idx ON scan_results USING gin (tags)");
    await pool.query("ANALYZE");
    const keys = new CacheKeys(prefix);
    const resultKey = (inputHash: string) => keys.result({ scanType: "dependencies", ownerId: null, inputHash });
    for (let i = 0; i < results.length; i += 500) {
      await Promise.all(
        results
          .slice(i, i + 500)
          .map((r) => cache.set(resultKey(r.input_hash), { result: {}, computedAt: "" }, { ttl: 3600, tags: r.tags })),
      );
    }

    // The change: 1,000 advisories modified (their ranges move), and which stored results that affects.
    const changedNs = new Set<number>();
    while (changedNs.size < CHANGED) changedNs.add(int(ADVISORIES));
    const changed = new Map([...changedNs].map((n) => [`GHSA-gen-${n}`, JSON.stringify(osv(n, CHANGED_MODIFIED, `${2 + (n % 5)}.1.0`))]));
    const changedPackages = new Set([...changedNs].map(packageOf));
    const affected = results.filter((r) => r.packages.some((p) => changedPackages.has(p))).length;
    feed = await startFeed(changed, [...changed.keys()]);
    const baseUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}`;
    await pool.query(`INSERT INTO advisory_sync_state (ecosystem, source, cursor_modified, last_outcome) VALUES ('npm', $1, $2, 'ok')`, [
      baseUrl,
      BASE_MODIFIED,
    ]);
    const setupMs = performance.now() - setupStarted;

    const syncStarted = performance.now();
    const sync = await syncAdvisoryFeed({ db, baseUrl, ecosystems: ["npm"], retries: 1, retryDelayMs: 100, timeoutMs: 30_000 });
    const syncMs = performance.now() - syncStarted;
    const ecosystem = sync.status === "done" ? sync.ecosystems[0] : undefined;
    if (ecosystem?.mode !== "incremental" || ecosystem.outcome !== "ok")
      throw new Error(`sync did not run as expected: ${JSON.stringify(sync)}`);

    const rows = await db.selectFrom("outbox").select("payload").where("job_name", "=", "advisories.updated").execute();
    const ctx: CacheWorkerContext = {
      db,
      cache,
      keys,
      hotKeys: new HotKeyTracker({ redis, setKey: `${prefix}:hot-keys` }),
      logger: createLogger({ service: "bench", level: "silent" }),
      scanInputKey: randomBytes(32),
      entryTtlSeconds: 3600,
      rerunLimit: 20,
      webhooks: queues[QUEUES.webhooks],
      reruns,
      rerunChunkSize: 50,
    };
    const handleStarted = performance.now();
    let invalidated = 0;
    for (const row of rows) invalidated += (await handleEvent(ctx, eventSchema.parse(row.payload))).invalidated;
    const handleMs = performance.now() - handleStarted;
    const currency = await db.selectFrom("scan_results").select(resultIsCurrent().as("current")).execute();
    const stale = currency.filter((row) => !row.current).length;

    // Baseline, same run: a sync that finds nothing new (the 200,000-line index read and compared, nothing fetched).
    const idleStarted = performance.now();
    const idle = await syncAdvisoryFeed({ db, baseUrl, ecosystems: ["npm"], retries: 1, retryDelayMs: 100, timeoutMs: 30_000 });
    const idleMs = performance.now() - idleStarted;
    if (idle.status !== "done" || idle.ecosystems[0]?.outcome !== "unchanged") throw new Error(`idle sync: ${JSON.stringify(idle)}`);
    const exact = invalidated === affected && stale === affected ? "equal" : "NOT EQUAL";

    console.log("\n## Incremental advisory sync (issue 17)\n");
    const vsIdle = (ms: number) => `${(ms / idleMs).toFixed(1)}×`;
    console.log("| step | time (s) | vs baseline |");
    console.log("|---|---:|---:|");
    console.log(`| setup: ${count(ADVISORIES)} advisories, ${count(RESULTS)} results (bulk SQL, cached) | ${seconds(setupMs)} | |`);
    console.log(
      `| sync: modified_id.csv (${count(ADVISORIES)} lines), ${count(ecosystem.downloaded)} downloads, store ${count(ecosystem.imported)} + revisions + event | ${seconds(syncMs)} | ${vsIdle(syncMs)} |`,
    );
    console.log(
      `| cache-worker: ${rows.length} advisories.updated event(s), ${count(changedPackages.size)} packages | ${seconds(handleMs)} | ${vsIdle(handleMs)} |`,
    );
    console.log(`| baseline: a sync that finds nothing new (index read and compared) | ${seconds(idleMs)} | baseline |`);
    console.log(
      `\nResults invalidated: ${count(invalidated)} cache entries dropped, ${count(stale)} no longer current in Postgres; ` +
        `actually affected (hold a package of a changed advisory): ${count(affected)} of ${count(RESULTS)} — ${exact}.`,
    );
  } finally {
    await new Promise((resolve) => (feed ? feed.close(resolve) : resolve(undefined)));
    await Promise.all([closeQueues(queues), reruns.close()]);
    await cache.close();
    await deleteKeysByPrefix(redis, `${prefix}:`);
    redis.disconnect();
    await db.destroy();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
