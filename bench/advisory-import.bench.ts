import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { parseAdvisories, storeAdvisories } from "@secapi/core";
import { createDb, createPool, findAdvisoriesForPackages } from "@secapi/db";
import { type Advisory, matchPackages } from "@secapi/scanners";
import pg from "pg";
import { ADVISORIES, PACKAGES, indexByPackage, osvRecord, packageSet } from "./fixtures/osv-generator.js";
import { measureSerial, report } from "./harness.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/**
 * Issue 3's database figures: importing the generated OSV database into Postgres (parse + upsert + one
 * `advisories.updated` event per ecosystem, in one transaction, as `secapi advisories import` does), and
 * a dependency scan's real path: look the 1,000 packages' advisories up in Postgres, then match.
 * Target: import ≥ 5,000 advisories/s.
 */
export default async function advisoryImportBench(): Promise<void> {
  const dbName = `secapi_bench_${randomBytes(4).toString("hex")}`;
  const url = ADMIN_URL.replace(/\/[^/]*$/, `/${dbName}`);
  execFileSync(process.execPath, [`${ROOT}apps/cli/dist/main.js`, "migrate"], {
    env: { ...process.env, DATABASE_URL: url },
    stdio: "ignore",
  });
  const db = createDb(createPool({ connectionString: url, max: 4, statementTimeoutMs: 600_000 }));
  try {
    const sources = Array.from({ length: ADVISORIES }, (_, n) => ({ source: String(n), json: osvRecord(n) }));
    const started = performance.now();
    const { advisories, invalid } = parseAdvisories(sources);
    const parsedAt = performance.now();
    const { stored } = await storeAdvisories(db, advisories);
    const storedAt = performance.now();
    const total = (storedAt - started) / 1000;

    const set = packageSet(indexByPackage(advisories));
    const lookup = await measureSerial(
      "lookup: advisories of 1,000 packages in Postgres",
      () => findAdvisoriesForPackages(db, set.packages),
      30,
    );
    const candidates = (await findAdvisoriesForPackages(db, set.packages)) as Advisory[];
    const scan = await measureSerial(
      `lookup + matchPackages (a dependency scan's work, ${count(candidates.length)} candidates)`,
      async () => matchPackages(set, (await findAdvisoriesForPackages(db, set.packages)) as Advisory[]),
      30,
    );
    const met = ADVISORIES / total >= 5000 ? "met" : "MISSED";
    report(
      "Advisory database in Postgres",
      lookup,
      [scan],
      [
        `Import of ${count(ADVISORIES)} advisories over ${count(PACKAGES)} packages (${invalid.length} invalid): ` +
          `${total.toFixed(2)} s in all, ${count(ADVISORIES / total)} advisories/s ` +
          `(parse ${((parsedAt - started) / 1000).toFixed(2)} s, store + events ${((storedAt - parsedAt) / 1000).toFixed(2)} s; ` +
          `${stored.imported} written, events: ${stored.events.map((e) => `${e.ecosystem} ${count(e.packages)} packages`).join(", ")}).`,
        `Target: import ≥ 5,000 advisories/s: ${met}.`,
      ],
    );
  } finally {
    await db.destroy();
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}
