import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { AdvisoryCache, parseAdvisories, storeAdvisories } from "@secapi/core";
import { createDb, createPool, findAdvisorySnapshot } from "@secapi/db";
import { type Advisory, type PackageSet, ScanPool, matchPackages, matchPrepared } from "@secapi/scanners";
import pg from "pg";
import { ADVISORIES, indexByPackage, osvRecord, packageSet } from "./fixtures/osv-generator.js";
import { type Measurement, measureSerial, report } from "./harness.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const ITERATIONS = Number(process.env.BENCH_DEPENDENCY_SCAN_ITERATIONS ?? 30);
const WARMUP = 5;
/** Advisories after the filler: the generated 50,000 plus advisories of packages the scanned set does not contain. */
const LARGE = 200_000;

/** The lookup as it was before the index-driven one: a hash join that reads all of advisory_packages per lookup. */
async function hashJoinLookup(client: pg.Pool, set: PackageSet): Promise<unknown[]> {
  const { rows } = await client.query<{ data: unknown }>(
    `SELECT a.data FROM advisories a
     WHERE (a.withdrawn IS NULL OR a.withdrawn > now())
       AND a.id IN (
         SELECT p.advisory_id FROM advisory_packages p
         JOIN unnest($1::text[], $2::text[]) AS wanted(ecosystem, name) ON p.ecosystem = wanted.ecosystem AND p.name = wanted.name
       )`,
    [set.packages.map((p) => p.ecosystem), set.packages.map((p) => p.name)],
  );
  return rows.map((r) => r.data);
}

/** Whether the plan of the current lookup scans advisory_packages whole (a Seq Scan on it, or a hash of it). */
async function lookupReadsWholeTable(client: pg.Pool, set: PackageSet): Promise<boolean> {
  const { rows } = await client.query(
    `EXPLAIN (FORMAT JSON)
     SELECT p.advisory_id
     FROM unnest($1::text[], $2::text[]) AS w(ecosystem, name)
     CROSS JOIN LATERAL (SELECT advisory_id FROM advisory_packages p WHERE p.ecosystem = w.ecosystem AND p.name = w.name) p`,
    [set.packages.map((p) => p.ecosystem), set.packages.map((p) => p.name)],
  );
  return /"Node Type":"Seq Scan","[^}]*"Relation Name":"advisory_packages"/.test(JSON.stringify(rows));
}

/**
 * Advisories of packages outside the scanned set, written by SQL in bulk (the scan never reads them): the
 * database grows fourfold while the scan's input and candidates stay the same.
 */
async function addFiller(client: pg.Pool, from: number, to: number): Promise<void> {
  await client.query(
    `
    INSERT INTO advisories (id, modified, data, parser_version)
    SELECT 'FILL-' || g, '2024-06-01T00:00:00Z',
      jsonb_build_object('id', 'FILL-' || g, 'modified', '2024-06-01T00:00:00Z', 'aliases', '[]'::jsonb, 'summary', '',
        'severity', 'unknown', 'affected', jsonb_build_array(jsonb_build_object('ecosystem', 'npm', 'name', 'filler-' || (g % 60000),
          'ranges', jsonb_build_array(jsonb_build_object('type', 'ECOSYSTEM', 'events',
            jsonb_build_array(jsonb_build_object('introduced', '0'), jsonb_build_object('fixed', '1.0.' || (g % 9)))))))),
      3
    FROM generate_series($1::int, $2::int) g`,
    [from, to - 1],
  );
  await client.query(
    `INSERT INTO advisory_packages (ecosystem, name, advisory_id)
    SELECT 'npm', 'filler-' || (g % 60000), 'FILL-' || g FROM generate_series($1::int, $2::int) g`,
    [from, to - 1],
  );
  await client.query("ANALYZE advisories");
  await client.query("ANALYZE advisory_packages");
}

/**
 * Issue 19's target 3: a dependency scan's work on the worker (advisory lookup + matching) for 1,000 packages,
 * p50 < 20 ms against 50,000 advisories and within 20 % of that against 200,000. Rows, at each size: the old
 * hash-join lookup (before), the index-driven snapshot read cold (every advisory read and parsed), and the scan
 * path as the worker runs it (AdvisoryCache: one indexed revision check per package, then only what changed).
 */
export default async function dependencyScanBench(): Promise<void> {
  const dbName = `secapi_bench_${randomBytes(4).toString("hex")}`;
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  execFileSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: "ignore",
  });
  const db = createDb(createPool({ connectionString: url, max: 4, statementTimeoutMs: 600_000 }));
  const raw = new pg.Pool({ connectionString: url, max: 1 });
  try {
    // In a block of its own: the 50,000 parsed advisories are garbage before anything is measured.
    const set = await (async () => {
      const { advisories } = parseAdvisories(Array.from({ length: ADVISORIES }, (_, n) => ({ source: String(n), json: osvRecord(n) })));
      await storeAdvisories(db, advisories);
      return packageSet(indexByPackage(advisories));
    })();
    await raw.query("ANALYZE");

    // CPU of this process per scan beside the wall time: on a busy shared host the wall time says more about the neighbours.
    const cpuMs = new Map<string, number>();
    const measureRow = async (name: string, task: () => unknown) => {
      for (let i = 0; i < WARMUP; i++) await task();
      const cpu = process.cpuUsage();
      const measured = await measureSerial(name, task, ITERATIONS);
      const used = process.cpuUsage(cpu);
      cpuMs.set(name, (used.user + used.system) / 1000 / ITERATIONS);
      return measured;
    };
    const rows = async (size: string): Promise<Measurement[]> => {
      const before = await measureRow(`${size}: before, hash-join lookup + matchPackages`, async () =>
        matchPackages(set, (await hashJoinLookup(raw, set)) as Advisory[]),
      );
      const cold = await measureRow(`${size}: index-driven snapshot (cold: all read and parsed) + matchPackages`, async () =>
        matchPackages(set, (await findAdvisorySnapshot(db, set.packages)).advisories as Advisory[]),
      );
      const cache = new AdvisoryCache();
      await cache.snapshot(db, set.packages);
      const scan = await measureRow(`${size}: scan path (AdvisoryCache warm: revision checked) + matchPrepared`, async () =>
        matchPrepared(set, (await cache.snapshot(db, set.packages)).prepared),
      );
      const lookupOnly = await measureRow(`${size}: of which the AdvisoryCache lookup`, () => cache.snapshot(db, set.packages));
      const { advisories, prepared } = await cache.snapshot(db, set.packages);
      const matchOnly = await measureRow(`${size}: of which matchPrepared (match index held by the cache)`, () =>
        matchPrepared(set, prepared),
      );
      const unprepared = await measureRow(`${size}: matchPackages (each advisory prepared again)`, () => matchPackages(set, advisories));
      // What the scan-worker adds: its task goes to a scan thread, which receives a copy of the advisories.
      const handOff = await measureRow(`${size}: structuredClone of the candidates (hand-off to a scan thread)`, () =>
        structuredClone(advisories),
      );
      // The scan-worker's call: ScanPool matches a warm, small scan where the prepared advisories are held, and
      // would otherwise send the plain advisories to a thread (the process's CPU counts the thread's too).
      const task = { engine: "packages" as const, input: set, advisories, prepared };
      const inlinePool = new ScanPool({ threads: 1 });
      const threadPool = new ScanPool({ threads: 1, inline: false });
      try {
        // The thread row first: both pools' threads start (and load the scanners) before the inline row is timed.
        const onThread = await measureRow(`${size}: ScanPool.run on a scan thread (inline off)`, () => threadPool.run(task));
        const onPool = await measureRow(`${size}: ScanPool.run, warm scan matched inline (worker path)`, () => inlinePool.run(task));
        return [before, cold, scan, lookupOnly, matchOnly, unprepared, handOff, onPool, onThread];
      } finally {
        await Promise.all([inlinePool.close(), threadPool.close()]);
      }
    };

    const small = await rows("50,000");
    const candidates = (await findAdvisorySnapshot(db, set.packages)).advisories.length;
    await addFiller(raw, 0, LARGE - ADVISORIES);
    const large = await rows("200,000");
    const wholeTable = await lookupReadsWholeTable(raw, set);

    const [base, ...others] = [...small, ...large] as [Measurement, ...Measurement[]];
    const p50 = (m: Measurement | undefined) => (m?.p50Ms ?? 0).toFixed(2);
    const cpuOf = (m: Measurement | undefined) => cpuMs.get(m?.name ?? "") ?? 0;
    const cpuGrowth = (cpuOf(large[2]) / (cpuOf(small[2]) || 1) - 1) * 100;
    const growth = ((large[2]?.p50Ms ?? 0) / (small[2]?.p50Ms ?? 1) - 1) * 100;
    report("Dependency scan: advisory lookup + matching of 1,000 packages", base, others, [
      `${candidates} candidate advisories for the set; ${ITERATIONS} scans per row, one after another. The 150,000 added ` +
        "advisories name packages outside the set (bulk SQL), so only the table grows.",
      `Scan path p50: ${p50(small[2])} ms at 50,000, ${p50(large[2])} ms at 200,000 (${growth >= 0 ? "+" : ""}${growth.toFixed(1)} %); ` +
        `cold ${p50(small[1])} / ${p50(large[1])} ms; before ${p50(small[0])} / ${p50(large[0])} ms. ` +
        "Target: scan path p50 < 20 ms, within 20 % at 200,000.",
      `Scan path CPU per scan: ${cpuOf(small[2]).toFixed(2)} ms at 50,000, ${cpuOf(large[2]).toFixed(2)} ms at 200,000 ` +
        `(${cpuGrowth >= 0 ? "+" : ""}${cpuGrowth.toFixed(1)} %); the wall figures move with the host's load, this does not as much.`,
      `Plan of the index-driven lookup reads advisory_packages whole: ${wholeTable ? "YES" : "no"}.`,
      `CPU of this process per scan (ms; Postgres' not included): ${[...cpuMs].map(([name, ms]) => `${name} ${ms.toFixed(2)}`).join("; ")}.`,
    ]);
  } finally {
    await raw.end();
    await db.destroy();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
